import Foundation
import HTTP
import LastmileConfig
import LastmileCore

/// Telnyx's Messaging API: `POST /v2/messages`, JSON, bearer key; `webhook_url` (with the
/// token) receives the delivery events. https://developers.telnyx.com/api/messaging/send-message
struct TelnyxSendAdapter: SendAdapter {
    static let defaultURL = URL(string: "https://api.telnyx.com")!
    let base: URL, key: Secret, profile: String?, timeout: Double

    init?(route: RouteConfiguration, timeout: Double) {
        guard let key = route.credentials["api_key"] else { return nil }
        base = route.apiURL ?? Self.defaultURL
        self.key = key
        profile = route.credentials["messaging_profile_id"]?.reveal()
        self.timeout = timeout
    }

    func request(for message: OutboundMessage) throws(SendAdapterError) -> HTTPClient.Request {
        var object: [String: Any] = ["from": message.from, "to": message.to, "text": message.body]
        if let profile { object["messaging_profile_id"] = profile }
        if let callback = AdapterSupport.callback(message) { object["webhook_url"] = callback }
        return HTTPClient.Request(method: "POST", url: AdapterSupport.url(base, "/v2/messages"),
                                  headers: [("Authorization", "Bearer \(key.reveal())"), ("Content-Type", "application/json")],
                                  body: AdapterSupport.json(object), timeout: timeout, isIdempotent: false)
    }

    func answer(status: Int, body: Data) -> SubmitAnswer {
        var answer = AdapterSupport.jsonAnswer(status: status, body: body, id: "data.id", providerStatus: "data.to.0.status",
                                               code: "errors.0.code", reason: "errors.0.detail", price: "data.cost.amount",
                                               network: "data.to.0.carrier")
        if answer.outcome != .accepted, answer.reason?.hasPrefix("HTTP ") == true,
           let title = JSONPath.decode(body).flatMap({ JSONPath.string(in: $0, at: "errors.0.title") }) {
            answer.reason = title
        }
        return answer
    }
}

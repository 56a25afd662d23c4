import Foundation
import HTTP
import LastmileConfig
import LastmileCore

/// Plivo's Message API: `POST /v1/Account/{auth_id}/Message/`, JSON, basic auth; the
/// callback URL (with the token) gets the delivery reports. https://www.plivo.com/docs/messaging/api/message
struct PlivoSendAdapter: SendAdapter {
    static let defaultURL = URL(string: "https://api.plivo.com")!
    let base: URL, authID: String, token: Secret, timeout: Double

    init?(route: RouteConfiguration, timeout: Double) {
        guard let id = route.credentials["auth_id"], let token = route.credentials["auth_token"] else { return nil }
        base = route.apiURL ?? Self.defaultURL
        authID = id.reveal()
        self.token = token
        self.timeout = timeout
    }

    func request(for message: OutboundMessage) throws(SendAdapterError) -> HTTPClient.Request {
        var object: [String: Any] = ["src": message.from, "dst": message.to, "text": message.body]
        if let callback = AdapterSupport.callback(message) {
            object["url"] = callback
            object["method"] = "POST"
        }
        return HTTPClient.Request(method: "POST", url: AdapterSupport.url(base, "/v1/Account/\(authID)/Message/"),
                                  headers: [("Authorization", AdapterSupport.basic(authID, token.reveal())),
                                            ("Content-Type", "application/json")],
                                  body: AdapterSupport.json(object), timeout: timeout, isIdempotent: false)
    }

    func answer(status: Int, body: Data) -> SubmitAnswer {
        var answer = AdapterSupport.jsonAnswer(status: status, body: body, id: "message_uuid.0", providerStatus: "message", reason: "error")
        if answer.outcome != .accepted { answer.errorCode = String(status) }
        return answer
    }
}

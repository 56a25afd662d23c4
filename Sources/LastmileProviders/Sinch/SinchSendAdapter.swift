import Foundation
import HTTP
import LastmileConfig
import LastmileCore

/// Sinch's SMS REST API: `POST /xms/v1/{service_plan_id}/batches`, JSON, bearer token; the
/// token goes in `client_reference`, reports per recipient to `callback_url`.
/// https://developers.sinch.com/docs/sms/api-reference/sms/tag/Batches
struct SinchSendAdapter: SendAdapter {
    static let defaultURL = URL(string: "https://us.sms.api.sinch.com")!
    let base: URL, plan: String, token: Secret, timeout: Double

    init?(route: RouteConfiguration, timeout: Double) {
        guard let plan = route.credentials["service_plan_id"], let token = route.credentials["api_token"] else { return nil }
        base = route.apiURL ?? Self.defaultURL
        self.plan = plan.reveal()
        self.token = token
        self.timeout = timeout
    }

    func request(for message: OutboundMessage) throws(SendAdapterError) -> HTTPClient.Request {
        var object: [String: Any] = ["from": message.from, "to": [message.to], "body": message.body,
                                     "delivery_report": "per_recipient", "client_reference": message.token.description]
        if let callback = AdapterSupport.callback(message) { object["callback_url"] = callback }
        return HTTPClient.Request(method: "POST", url: AdapterSupport.url(base, "/xms/v1/\(plan)/batches"),
                                  headers: [("Authorization", "Bearer \(token.reveal())"), ("Content-Type", "application/json")],
                                  body: AdapterSupport.json(object), timeout: timeout, isIdempotent: false)
    }

    func answer(status: Int, body: Data) -> SubmitAnswer {
        AdapterSupport.jsonAnswer(status: status, body: body, id: "id", code: "code", reason: "text")
    }
}

import Foundation
import HTTP
import LastmileConfig
import LastmileCore

/// MessageBird's SMS API: `POST /messages`, JSON, `Authorization: AccessKey {key}`; the token
/// goes in `reference`, status reports to `reportUrl`. https://developers.messagebird.com/api/sms-messaging/
struct MessageBirdSendAdapter: SendAdapter {
    static let defaultURL = URL(string: "https://rest.messagebird.com")!
    let base: URL, key: Secret, timeout: Double

    init?(route: RouteConfiguration, timeout: Double) {
        guard let key = route.credentials["access_key"] else { return nil }
        base = route.apiURL ?? Self.defaultURL
        self.key = key
        self.timeout = timeout
    }

    func request(for message: OutboundMessage) throws(SendAdapterError) -> HTTPClient.Request {
        var object: [String: Any] = ["originator": message.from, "recipients": [AdapterSupport.digits(message.to)],
                                     "body": message.body, "reference": message.token.description]
        if let callback = AdapterSupport.callback(message) { object["reportUrl"] = callback }
        return HTTPClient.Request(method: "POST", url: AdapterSupport.url(base, "/messages"),
                                  headers: [("Authorization", "AccessKey \(key.reveal())"), ("Content-Type", "application/json")],
                                  body: AdapterSupport.json(object), timeout: timeout, isIdempotent: false)
    }

    func answer(status: Int, body: Data) -> SubmitAnswer {
        AdapterSupport.jsonAnswer(status: status, body: body, id: "id", providerStatus: "recipients.items.0.status",
                                  code: "errors.0.code", reason: "errors.0.description")
    }
}

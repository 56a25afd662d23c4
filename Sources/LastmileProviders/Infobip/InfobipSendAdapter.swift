import Foundation
import HTTP
import LastmileConfig
import LastmileCore

/// Infobip's SMS API: `POST /sms/2/text/advanced` on the account's own base URL, JSON,
/// `Authorization: App {key}`; the token goes in `callbackData`, reports to `notifyUrl`.
/// https://www.infobip.com/docs/api/channels/sms/sms-messaging/outbound-sms/send-sms-message
struct InfobipSendAdapter: SendAdapter {
    let base: URL, key: Secret, timeout: Double

    init?(route: RouteConfiguration, timeout: Double) {
        guard let key = route.credentials["api_key"], let base = route.apiURL else { return nil }
        self.base = base
        self.key = key
        self.timeout = timeout
    }

    func request(for message: OutboundMessage) throws(SendAdapterError) -> HTTPClient.Request {
        var entry: [String: Any] = ["from": message.from, "destinations": [["to": AdapterSupport.digits(message.to)]],
                                    "text": message.body, "callbackData": message.token.description]
        if let callback = AdapterSupport.callback(message) {
            entry["notifyUrl"] = callback
            entry["notifyContentType"] = "application/json"
        }
        return HTTPClient.Request(method: "POST", url: AdapterSupport.url(base, "/sms/2/text/advanced"),
                                  headers: [("Authorization", "App \(key.reveal())"), ("Content-Type", "application/json"),
                                            ("Accept", "application/json")],
                                  body: AdapterSupport.json(["messages": [entry]]), timeout: timeout, isIdempotent: false)
    }

    func answer(status: Int, body: Data) -> SubmitAnswer {
        let json = JSONPath.decode(body)
        let id = json.flatMap { JSONPath.string(in: $0, at: "messages.0.messageId") }
        let group = json.flatMap { JSONPath.string(in: $0, at: "messages.0.status.groupName") }
        var outcome = StatusOutcome.outcome(for: status)
        if outcome == .accepted && (group == "REJECTED" || group == "UNDELIVERABLE") { outcome = .rejected }
        if outcome == .accepted && id == nil { outcome = .error }
        let error = json.flatMap { JSONPath.string(in: $0, at: "requestError.serviceException.text") }
        return SubmitAnswer(outcome: outcome, providerMessageID: id,
                            providerStatus: json.flatMap { JSONPath.string(in: $0, at: "messages.0.status.name") } ?? "http \(status)",
                            errorCode: json.flatMap { JSONPath.string(in: $0, at: "requestError.serviceException.messageId") },
                            reason: outcome == .accepted ? nil
                                : error ?? json.flatMap { JSONPath.string(in: $0, at: "messages.0.status.description") } ?? AdapterSupport.statusReason(status, body))
    }
}

import Foundation
import HTTP
import LastmileConfig
import LastmileCore

/// Clickatell's One API: `POST /v1/message`, JSON `{"messages": [{"channel": "sms", "to", "content",
/// "from", "clientMessageId"}]}`, the API key as the whole `Authorization` header. The token goes
/// in `clientMessageId`, which status callbacks echo. Each message of the answer says whether it
/// was `accepted`, with its `apiMessageId` or its `error`.
/// https://docs.clickatell.com/channels/one-api/one-api-reference/
struct ClickatellSendAdapter: SendAdapter {
    static let defaultURL = URL(string: "https://platform.clickatell.com")!

    let base: URL, key: Secret, timeout: Double

    init?(route: RouteConfiguration, timeout: Double) {
        guard let key = route.credentials["api_key"] else { return nil }
        base = route.apiURL ?? Self.defaultURL
        self.key = key
        self.timeout = timeout
    }

    func request(for message: OutboundMessage) throws(SendAdapterError) -> HTTPClient.Request {
        let entry: [String: Any] = ["channel": "sms", "to": AdapterSupport.digits(message.to), "content": message.body,
                                    "from": AdapterSupport.digits(message.from), "clientMessageId": message.token.description]
        return HTTPClient.Request(method: "POST", url: AdapterSupport.url(base, "/v1/message"),
                                  headers: [("Authorization", key.reveal()), ("Content-Type", "application/json"),
                                            ("Accept", "application/json")],
                                  body: AdapterSupport.json(["messages": [entry]]), timeout: timeout, isIdempotent: false)
    }

    func answer(status: Int, body: Data) -> SubmitAnswer {
        let json = JSONPath.decode(body)
        func field(_ path: String) -> String? { json.flatMap { JSONPath.string(in: $0, at: path) } }
        let id = field("messages.0.apiMessageId")
        let accepted = field("messages.0.accepted")
        var outcome = StatusOutcome.outcome(for: status)
        if outcome == .accepted && accepted == "false" { outcome = .rejected }
        if outcome == .accepted && id == nil { outcome = .error }
        let code = field("messages.0.error.code") ?? field("error.code")
        let reason = field("messages.0.error.description") ?? field("error.description")
        return SubmitAnswer(outcome: outcome, providerMessageID: id, providerStatus: accepted.map { "accepted=\($0)" } ?? "http \(status)",
                            errorCode: code, reason: outcome == .accepted ? nil : reason ?? AdapterSupport.statusReason(status, body))
    }
}

import Foundation
import HTTP
import LastmileConfig
import LastmileCore

/// Twilio's Messages API: `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`,
/// form-encoded, HTTP basic auth with the account SID and auth token.
struct TwilioSendAdapter: SendAdapter {
    static let defaultURL = URL(string: "https://api.twilio.com")!

    let base: URL
    let accountSID: String
    let authToken: Secret
    let timeout: Double

    init?(route: RouteConfiguration, timeout: Double) {
        guard let sid = route.credentials["account_sid"], let token = route.credentials["auth_token"] else { return nil }
        base = route.apiURL ?? Self.defaultURL
        accountSID = sid.reveal()
        authToken = token
        self.timeout = timeout
    }

    func request(for message: OutboundMessage) throws(SendAdapterError) -> HTTPClient.Request {
        var fields = [("To", message.to), ("From", message.from), ("Body", message.body)]
        if let callback = AdapterSupport.callback(message) { fields.append(("StatusCallback", callback)) }
        let body = fields.map { "\(PercentEncoding.encode($0.0))=\(PercentEncoding.encode($0.1))" }.joined(separator: "&")
        let url = base.appendingPathComponent("2010-04-01/Accounts/\(accountSID)/Messages.json")
        let credentials = Data("\(accountSID):\(authToken.reveal())".utf8).base64EncodedString()
        return HTTPClient.Request(method: "POST", url: url,
                                  headers: [("Authorization", "Basic \(credentials)"),
                                            ("Content-Type", "application/x-www-form-urlencoded")],
                                  body: Data(body.utf8), timeout: timeout, isIdempotent: false)
    }

    func answer(status: Int, body: Data) -> SubmitAnswer {
        let json = JSONPath.decode(body)
        let sid = json.flatMap { JSONPath.string(in: $0, at: "sid") }
        let providerStatus = json.flatMap { JSONPath.string(in: $0, at: "status") }
        let code = json.flatMap { JSONPath.string(in: $0, at: "code") ?? JSONPath.string(in: $0, at: "error_code") }
        let message = json.flatMap { JSONPath.string(in: $0, at: "message") ?? JSONPath.string(in: $0, at: "error_message") }
        var outcome = StatusOutcome.outcome(for: status)
        if outcome == .accepted, providerStatus == "failed" || providerStatus == "undelivered" { outcome = .rejected }
        if outcome == .accepted, sid == nil { outcome = .error }
        return SubmitAnswer(outcome: outcome, providerMessageID: sid, providerStatus: providerStatus ?? "http \(status)",
                            errorCode: code, reason: outcome == .accepted ? nil : message ?? AdapterSupport.statusReason(status, body),
                            price: json.flatMap { JSONPath.string(in: $0, at: "price") })
    }
}

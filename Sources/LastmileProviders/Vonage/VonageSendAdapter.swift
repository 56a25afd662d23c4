import Foundation
import HTTP
import LastmileConfig
import LastmileCore

/// Vonage's SMS API: `POST /sms/json`, form-encoded, key and secret in the form; the token
/// goes in `client-ref`, and a per-message `callback` asks for the delivery receipt.
/// https://developer.vonage.com/en/api/sms
struct VonageSendAdapter: SendAdapter {
    static let defaultURL = URL(string: "https://rest.nexmo.com")!
    let base: URL, key: String, secret: Secret, timeout: Double

    init?(route: RouteConfiguration, timeout: Double) {
        guard let key = route.credentials["api_key"], let secret = route.credentials["api_secret"] else { return nil }
        base = route.apiURL ?? Self.defaultURL
        self.key = key.reveal()
        self.secret = secret
        self.timeout = timeout
    }

    func request(for message: OutboundMessage) throws(SendAdapterError) -> HTTPClient.Request {
        var fields = [("api_key", key), ("api_secret", secret.reveal()), ("from", AdapterSupport.digits(message.from)),
                      ("to", AdapterSupport.digits(message.to)), ("text", message.body), ("client-ref", message.token.description)]
        if let callback = AdapterSupport.callback(message) { fields += [("status-report-req", "1"), ("callback", callback)] }
        return HTTPClient.Request(method: "POST", url: AdapterSupport.url(base, "/sms/json"),
                                  headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                  body: AdapterSupport.form(fields), timeout: timeout, isIdempotent: false)
    }

    func answer(status: Int, body: Data) -> SubmitAnswer {
        guard (200..<300).contains(status), let json = JSONPath.decode(body),
              let code = JSONPath.string(in: json, at: "messages.0.status") else {
            // A 2xx without Vonage's answer in it (a proxy's page, an empty body) says nothing about the message.
            let outcome = StatusOutcome.outcome(for: status)
            return SubmitAnswer(outcome: outcome == .accepted ? .error : outcome, providerStatus: "http \(status)",
                                reason: "HTTP \(status)\(outcome == .accepted ? " without a message status" : ""): " + AdapterSupport.excerpt(body))
        }
        // 0 is success; 1 is throttling (try later); the rest are refusals.
        let outcome: SubmitOutcome = code == "0" ? .accepted : code == "1" ? .error : .rejected
        return SubmitAnswer(outcome: outcome, providerMessageID: JSONPath.string(in: json, at: "messages.0.message-id"),
                            providerStatus: code, errorCode: code == "0" ? nil : code,
                            reason: outcome == .accepted ? nil : JSONPath.string(in: json, at: "messages.0.error-text"),
                            price: JSONPath.string(in: json, at: "messages.0.message-price"),
                            network: JSONPath.string(in: json, at: "messages.0.network"))
    }
}

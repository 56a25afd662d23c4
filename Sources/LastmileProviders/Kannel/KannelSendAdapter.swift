import Foundation
import HTTP
import LastmileConfig
import LastmileCore

/// Kannel's sendsms service: `GET /cgi-bin/sendsms` with the credentials in the query,
/// `dlr-mask=31` (every report) and a `dlr-url` that carries the token and Kannel's escapes
/// (`%d` status, `%A` SMSC answer, `%T` time). Kannel answers `0: Accepted for delivery`
/// and gives no message id, so its receipts match by token. https://www.kannel.org/userguide.shtml
struct KannelSendAdapter: SendAdapter {
    let base: URL, user: String, password: Secret, smsc: String?, timeout: Double

    init?(route: RouteConfiguration, timeout: Double) {
        guard let user = route.credentials["username"], let password = route.credentials["password"], let base = route.apiURL else {
            return nil
        }
        self.base = base
        self.user = user.reveal()
        self.password = password
        smsc = route.credentials["smsc"]?.reveal()
        self.timeout = timeout
    }

    func request(for message: OutboundMessage) throws(SendAdapterError) -> HTTPClient.Request {
        var fields = [("username", user), ("password", password.reveal()), ("from", message.from), ("to", message.to),
                      ("text", message.body), ("charset", "UTF-8"), ("coding", "0")]
        if let smsc { fields.append(("smsc", smsc)) }
        if let callback = AdapterSupport.callback(message) {
            fields += [("dlr-mask", "31"), ("dlr-url", callback + "&status=%d&answer=%A&at=%T")]
        }
        let query = fields.map { "\($0.0)=\(PercentEncoding.encode($0.1))" }.joined(separator: "&")
        guard let url = URL(string: AdapterSupport.url(base, "/cgi-bin/sendsms").absoluteString + "?" + query) else {
            throw SendAdapterError("the sendsms URL does not form")
        }
        return HTTPClient.Request(method: "GET", url: url, timeout: timeout, isIdempotent: false)
    }

    func answer(status: Int, body: Data) -> SubmitAnswer {
        let text = AdapterSupport.excerpt(body)
        let accepted = (200..<300).contains(status) && (text.hasPrefix("0:") || text.hasPrefix("3:"))
        // A 2xx that is not Kannel's "0:"/"3:" line (a proxy's page, an empty body) says nothing about the message.
        let outcome: SubmitOutcome = accepted ? .accepted : (200..<300).contains(status) ? .error : StatusOutcome.outcome(for: status)
        return SubmitAnswer(outcome: outcome, providerMessageID: nil, providerStatus: text.isEmpty ? "http \(status)" : text,
                            errorCode: accepted ? nil : String(status), reason: accepted ? nil : text)
    }
}

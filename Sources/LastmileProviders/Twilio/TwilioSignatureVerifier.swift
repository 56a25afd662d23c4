import Foundation
import HTTP

/// Twilio's `X-Twilio-Signature`: base64 HMAC-SHA1, keyed by the auth token, of the full URL
/// Twilio called followed by each POST parameter's name and value, sorted by name.
/// https://www.twilio.com/docs/usage/webhooks/webhooks-security
public struct TwilioSignatureVerifier: WebhookVerifier {
    let authToken: [UInt8]

    public init(authToken: String) {
        self.authToken = Array(authToken.utf8)
    }

    public static func signature(url: String, parameters: [(String, String)], authToken: String) -> String {
        var message = url
        for (name, value) in parameters.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) { message += name + value }
        return Crypto.base64(Crypto.hmac(.sha1, key: Array(authToken.utf8), message: Array(message.utf8)))
    }

    public func check(_ request: HTTPRequest, url: URL?, now: Date) -> ReportError? {
        guard let presented = request.headers["X-Twilio-Signature"] else {
            return ReportError(.unauthorized, "missing X-Twilio-Signature")
        }
        guard let url else { return ReportError(.forbidden, "cannot check X-Twilio-Signature without [server] public_url") }
        let parameters: [(String, String)]
        switch SignedForm.fields(of: request) {
        case .success(let fields): parameters = fields
        case .failure(let refusal): return refusal
        }
        var message = url.absoluteString
        for (name, value) in parameters.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) { message += name + value }
        let expected = Crypto.base64(Crypto.hmac(.sha1, key: authToken, message: Array(message.utf8)))
        return Crypto.constantTimeEqual(Array(presented.utf8), Array(expected.utf8)) ? nil : ReportError(.forbidden, "X-Twilio-Signature does not match")
    }
}

import Foundation
import HTTP

/// SMS Gateway for Android: `X-Signature` is the hex HMAC-SHA256 of the raw body followed by
/// the `X-Timestamp` header, keyed by the webhook's signing key.
public struct AndroidSMSGatewayVerifier: WebhookVerifier {
    let key: [UInt8]
    let tolerance: TimeInterval

    public init(signingKey: String, tolerance: TimeInterval = 300) {
        key = Array(signingKey.utf8)
        self.tolerance = tolerance
    }

    public static func signature(body: [UInt8], timestamp: String, signingKey: String) -> String {
        Crypto.hex(Crypto.hmac(.sha256, key: Array(signingKey.utf8), message: body + Array(timestamp.utf8)))
    }

    public func check(_ request: HTTPRequest, url: URL?, now: Date) -> ReportError? {
        guard let presented = request.headers["X-Signature"] else { return ReportError(.unauthorized, "missing X-Signature") }
        let timestamp = request.headers["X-Timestamp"]
        if let problem = Freshness.problem(timestamp, now: now, tolerance: tolerance, header: "X-Timestamp") { return problem }
        let expected = Crypto.hex(Crypto.hmac(.sha256, key: key, message: request.body + Array(timestamp!.utf8)))
        return Crypto.constantTimeEqual(Array(presented.lowercased().utf8), Array(expected.utf8))
            ? nil : ReportError(.forbidden, "X-Signature does not match")
    }
}

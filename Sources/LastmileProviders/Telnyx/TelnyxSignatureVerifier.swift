import Foundation
import HTTP

/// Telnyx's Ed25519 signature (`telnyx-signature-ed25519`, base64) of `timestamp|body`,
/// checked with the account's public key; timestamps older than the tolerance are refused.
public struct TelnyxSignatureVerifier: WebhookVerifier {
    let publicKey: [UInt8]
    let tolerance: TimeInterval

    public init?(publicKeyBase64: String, tolerance: TimeInterval = 300) {
        guard let key = Crypto.fromBase64(publicKeyBase64), key.count == 32 else { return nil }
        publicKey = key
        self.tolerance = tolerance
    }

    public func check(_ request: HTTPRequest, url: URL?, now: Date) -> ReportError? {
        guard let signatureText = request.headers["telnyx-signature-ed25519"] else {
            return ReportError(.unauthorized, "missing telnyx-signature-ed25519")
        }
        let timestamp = request.headers["telnyx-timestamp"]
        if let problem = Freshness.problem(timestamp, now: now, tolerance: tolerance, header: "telnyx-timestamp") { return problem }
        guard let signature = Crypto.fromBase64(signatureText) else { return ReportError(.forbidden, "telnyx-signature-ed25519 is not base64") }
        let message = Array("\(timestamp!)|".utf8) + request.body
        return Crypto.verifyEd25519(publicKey: publicKey, signature: signature, message: message)
            ? nil : ReportError(.forbidden, "telnyx-signature-ed25519 does not verify")
    }
}

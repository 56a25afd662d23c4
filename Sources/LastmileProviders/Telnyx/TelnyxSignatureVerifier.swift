import Foundation
import HTTP

/// Telnyx's Ed25519 signature (`telnyx-signature-ed25519`, base64) of `timestamp|body`,
/// checked with the account's public key; timestamps older than the tolerance are refused.
public struct TelnyxSignatureVerifier: WebhookVerifier {
    let publicKey: [UInt8]
    let tolerance: TimeInterval

    /// The key as Telnyx's portal shows it (32 bytes in base64), or in its DER form (a
    /// SubjectPublicKeyInfo, as `openssl pkey -pubin -outform DER` writes it); nil for anything else.
    public init?(publicKeyBase64: String, tolerance: TimeInterval = 300) {
        guard var key = Crypto.fromBase64(publicKeyBase64) else { return nil }
        if key.count == Self.derPrefix.count + 32, key.starts(with: Self.derPrefix) { key = Array(key.dropFirst(Self.derPrefix.count)) }
        guard key.count == 32 else { return nil }
        publicKey = key
        self.tolerance = tolerance
    }

    /// What precedes the 32 key bytes in an Ed25519 SubjectPublicKeyInfo (RFC 8410).
    static let derPrefix: [UInt8] = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]

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

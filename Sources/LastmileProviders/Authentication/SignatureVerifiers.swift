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
        let parameters = request.method == "POST" ? PercentEncoding.formFields(String(decoding: request.body, as: UTF8.self)).map { ($0.name, $0.value) } : []
        var message = url.absoluteString
        for (name, value) in parameters.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) { message += name + value }
        let expected = Crypto.base64(Crypto.hmac(.sha1, key: authToken, message: Array(message.utf8)))
        return Crypto.constantTimeEqual(Array(presented.utf8), Array(expected.utf8)) ? nil : ReportError(.forbidden, "X-Twilio-Signature does not match")
    }
}

/// Plivo's V3 signature (`X-Plivo-Signature-V3`, `X-Plivo-Signature-V3-Nonce`): base64
/// HMAC-SHA256, keyed by the auth token, of the URL with its query sorted, the sorted POST
/// parameters, and the nonce. The header may hold several signatures, comma-separated.
public struct PlivoSignatureVerifier: WebhookVerifier {
    let authToken: [UInt8]

    public init(authToken: String) {
        self.authToken = Array(authToken.utf8)
    }

    /// The string Plivo signs, for a request to `url` with `method` and its POST parameters.
    public static func signedText(url: URL, method: String, postParameters: [(String, String)], nonce: String) -> String {
        var components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        let query = (components?.queryItems ?? []).map { ($0.name, $0.value ?? "") }
            .sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        components?.query = nil
        var base = components?.string ?? url.absoluteString
        let hasPost = !postParameters.isEmpty
        if !query.isEmpty || hasPost { base += "?" + query }
        if !query.isEmpty && hasPost { base += "." }
        if method != "GET" {
            base += postParameters.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map { $0.0 + $0.1 }.joined()
        }
        return base + "." + nonce
    }

    public func check(_ request: HTTPRequest, url: URL?, now: Date) -> ReportError? {
        guard let header = request.headers["X-Plivo-Signature-V3"], let nonce = request.headers["X-Plivo-Signature-V3-Nonce"] else {
            return ReportError(.unauthorized, "missing X-Plivo-Signature-V3 or its nonce")
        }
        guard let url else { return ReportError(.forbidden, "cannot check X-Plivo-Signature-V3 without [server] public_url") }
        let post = request.method == "POST" ? PercentEncoding.formFields(String(decoding: request.body, as: UTF8.self)).map { ($0.name, $0.value) } : []
        let text = Self.signedText(url: url, method: request.method, postParameters: post, nonce: nonce)
        let expected = Array(Crypto.base64(Crypto.hmac(.sha256, key: authToken, message: Array(text.utf8))).utf8)
        let matches = header.split(separator: ",").contains { Crypto.constantTimeEqual(Array($0.trimmingCharacters(in: .whitespaces).utf8), expected) }
        return matches ? nil : ReportError(.forbidden, "X-Plivo-Signature-V3 does not match")
    }
}

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

/// httpSMS: `Authorization: Bearer <JWT>`, an HS256 token signed with the webhook's signing key.
public struct HTTPSMSVerifier: WebhookVerifier {
    let key: [UInt8]
    let leeway: TimeInterval

    public init(signingKey: String, leeway: TimeInterval = 60) {
        key = Array(signingKey.utf8)
        self.leeway = leeway
    }

    public func check(_ request: HTTPRequest, url: URL?, now: Date) -> ReportError? {
        guard let header = request.headers["Authorization"], header.lowercased().hasPrefix("bearer ") else {
            return ReportError(.unauthorized, "missing Authorization: Bearer JWT")
        }
        let parts = header.dropFirst(7).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerJSON = Crypto.fromBase64(String(parts[0])),
              let headerObject = try? JSONSerialization.jsonObject(with: Data(headerJSON)) as? [String: Any],
              headerObject["alg"] as? String == "HS256",
              let signature = Crypto.fromBase64(String(parts[2])),
              let claimsJSON = Crypto.fromBase64(String(parts[1])),
              let claims = try? JSONSerialization.jsonObject(with: Data(claimsJSON)) as? [String: Any] else {
            return ReportError(.forbidden, "the JWT is malformed or not HS256")
        }
        let expected = Crypto.hmac(.sha256, key: key, message: Array("\(parts[0]).\(parts[1])".utf8))
        guard Crypto.constantTimeEqual(signature, expected) else { return ReportError(.forbidden, "the JWT signature does not match") }
        if let expiry = (claims["exp"] as? NSNumber)?.doubleValue, now.timeIntervalSince1970 > expiry + leeway {
            return ReportError(.forbidden, "the JWT has expired")
        }
        if let notBefore = (claims["nbf"] as? NSNumber)?.doubleValue, now.timeIntervalSince1970 + leeway < notBefore {
            return ReportError(.forbidden, "the JWT is not valid yet")
        }
        return nil
    }
}

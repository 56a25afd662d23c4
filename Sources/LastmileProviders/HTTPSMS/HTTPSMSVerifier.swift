import Foundation
import HTTP

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

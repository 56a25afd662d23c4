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
              case .object(let headerFields)? = try? JSONReader.read(headerJSON),
              headerFields["alg"] == .string("HS256"),
              let signature = Crypto.fromBase64(String(parts[2])),
              let claimsJSON = Crypto.fromBase64(String(parts[1])),
              case .object(let claims)? = try? JSONReader.read(claimsJSON) else {
            return ReportError(.forbidden, "the JWT is malformed or not HS256")
        }
        let expected = Crypto.hmac(.sha256, key: key, message: Array("\(parts[0]).\(parts[1])".utf8))
        guard Crypto.constantTimeEqual(signature, expected) else { return ReportError(.forbidden, "the JWT signature does not match") }
        // httpSMS signs each call with a token good for ten minutes. One without an expiry, or
        // good for far longer, would let whoever saw one call post arrivals for as long as it lasts.
        guard let expiry = Self.seconds(claims["exp"]) else { return ReportError(.forbidden, "the JWT has no numeric exp") }
        if now.timeIntervalSince1970 > expiry + leeway {
            return ReportError(.forbidden, "the JWT has expired")
        }
        if expiry - now.timeIntervalSince1970 > Self.longestLifetime {
            return ReportError(.forbidden, "the JWT expires too far ahead (more than an hour)")
        }
        if let notBefore = Self.seconds(claims["nbf"]), now.timeIntervalSince1970 + leeway < notBefore {
            return ReportError(.forbidden, "the JWT is not valid yet")
        }
        return nil
    }

    /// The longest a token may still be good for when it arrives.
    static let longestLifetime: TimeInterval = 3_600

    /// A NumericDate claim (RFC 7519): seconds since the epoch, written as a number.
    private static func seconds(_ claim: JSONValue?) -> Double? {
        guard case .number(let literal)? = claim else { return nil }
        return Double(literal)
    }
}

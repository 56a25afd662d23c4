import HTTP
import LastmileConfig

/// Checks that a webhook request carries the hook's secret.
public struct WebhookAuthenticator: Sendable {
    let secret: Secret?

    public init(secret: Secret?) {
        self.secret = secret
    }

    /// Nil when the request may pass; otherwise the refusal to answer.
    /// Without a configured secret every request passes.
    public func check(_ request: HTTPRequest) -> ReportError? {
        guard let secret else { return nil }
        guard let header = request.headers["Authorization"] else {
            return ReportError(.unauthorized, "missing Authorization: Bearer token")
        }
        let prefix = "Bearer "
        guard header.count > prefix.count, header.prefix(prefix.count).lowercased() == prefix.lowercased() else {
            return ReportError(.unauthorized, "Authorization must be a Bearer token")
        }
        let presented = Array(header.dropFirst(prefix.count).utf8)
        guard ConstantTime.equal(presented, Array(secret.reveal().utf8)) else {
            return ReportError(.forbidden, "wrong token")
        }
        return nil
    }
}

/// Comparison that takes the same time wherever the inputs differ.
public enum ConstantTime {
    public static func equal(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: lhs.count ^ rhs.count)
        let length = max(lhs.count, rhs.count)
        for index in 0..<length {
            let left = index < lhs.count ? lhs[index] : 0
            let right = index < rhs.count ? rhs[index] : 0
            difference |= left ^ right
        }
        return difference == 0
    }
}

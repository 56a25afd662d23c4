import Foundation
import HTTP

/// Decides whether an inbound webhook really comes from whom it claims.
public protocol WebhookVerifier: Sendable {
    /// Nil when the request may pass; otherwise the refusal (401 without credentials, 403 with wrong ones).
    /// `url` is the URL the sender called (the public URL of the hook), when Lastmile knows it.
    func check(_ request: HTTPRequest, url: URL?, now: Date) -> ReportError?
}

/// Every request passes: a hook without a secret.
public struct OpenHook: WebhookVerifier {
    public init() {}
    public func check(_ request: HTTPRequest, url: URL?, now: Date) -> ReportError? { nil }
}

/// A shared token, as `Authorization: Bearer …` or, for senders that cannot set headers, `?token=…`.
public struct BearerTokenVerifier: WebhookVerifier {
    let token: [UInt8]

    public init(token: String) {
        self.token = Array(token.utf8)
    }

    public func check(_ request: HTTPRequest, url: URL?, now: Date) -> ReportError? {
        let presented: String
        if let header = request.headers["Authorization"] {
            guard header.count > 7, header.prefix(7).lowercased() == "bearer " else {
                return ReportError(.unauthorized, "Authorization must be a Bearer token")
            }
            presented = String(header.dropFirst(7))
        } else if let query = request.queryValue("token") {
            presented = query
        } else {
            return ReportError(.unauthorized, "missing Authorization: Bearer token")
        }
        guard !token.isEmpty else { return ReportError(.forbidden, "this hook has an empty token, which matches nothing") }
        return Crypto.constantTimeEqual(Array(presented.utf8), token) ? nil : ReportError(.forbidden, "wrong token")
    }
}

/// Checks a timestamp header against the clock.
enum Freshness {
    /// Nil when `text` is a Unix time within `tolerance` seconds of `now`.
    static func problem(_ text: String?, now: Date, tolerance: TimeInterval, header: String) -> ReportError? {
        guard let text else { return ReportError(.unauthorized, "missing \(header)") }
        guard let seconds = Double(text.trimmingCharacters(in: .whitespaces)) else {
            return ReportError(.unauthorized, "\(header) is not a Unix time")
        }
        guard abs(now.timeIntervalSince1970 - seconds) <= tolerance else {
            return ReportError(.forbidden, "stale \(header): the request is older than \(Int(tolerance)) s or from the future")
        }
        return nil
    }
}

/// Every request is refused: a hook that must authenticate but whose check cannot be built
/// (`lastmile check` names why). Never a silent downgrade to an open hook.
public struct RefusingHook: WebhookVerifier {
    /// Why the hook cannot check its callers.
    public let reason: String

    public init(reason: String) {
        self.reason = reason
    }

    public func check(_ request: HTTPRequest, url: URL?, now: Date) -> ReportError? {
        ReportError(.forbidden, "this hook cannot check its callers: \(reason)")
    }
}

import Foundation
import HTTP

/// A hook's verifier just after a reload changed it: what the new one refuses, the one before
/// still lets pass until `until`. Canaries sent before the reload carry the old secret in their
/// callback URLs, and their reports come until their deadline; refusing those would settle
/// them as lost for a secret's rotation.
public struct RotatedVerifier: WebhookVerifier {
    public let current: any WebhookVerifier
    public let previous: any WebhookVerifier
    public let until: Date

    /// `current`, with `previous` honoured until `until`; a previous verifier that was itself
    /// rotated brings along only what is still honoured at `now`.
    public init(current: any WebhookVerifier, previous: any WebhookVerifier, until: Date, now: Date) {
        self.current = current
        if let rotated = previous as? RotatedVerifier, rotated.until <= now {
            self.previous = rotated.current
        } else {
            self.previous = previous
        }
        self.until = until
    }

    public func check(_ request: HTTPRequest, url: URL?, now: Date) -> ReportError? {
        guard let refusal = current.check(request, url: url, now: now) else { return nil }
        guard now < until, previous.check(request, url: url, now: now) == nil else { return refusal }
        return nil
    }
}

import LastmileConfig

/// One way receiving phones report what arrived: a webhook some app or provider calls, or a
/// spool folder a modem daemon writes. Each lives in its own folder and is listed once in
/// `ProviderRegistry`.
public protocol ArrivalSource: Sendable {
    /// Its name, delivery and signature, for the configuration.
    var sourceTraits: ArrivalSourceTraits { get }
    /// How its reports are read and checked.
    var intake: ArrivalIntake { get }
}

/// How an arrival source's reports are taken in.
public enum ArrivalIntake: Sendable {
    /// Requests to `/hooks/arrivals/{receiver}`.
    case webhook(WebhookIntake)
    /// Files in the receiver's spool folder.
    case spool(any SpoolFormat)
}

/// A webhook source's parser and the check its requests must pass.
public struct WebhookIntake: Sendable {
    public let parser: any ArrivalParser
    /// The check for a receiver whose `secret` is the argument (a token, signing key or public key).
    public let verifier: @Sendable (String) -> any WebhookVerifier

    public init(parser: any ArrivalParser, verifier: @escaping @Sendable (String) -> any WebhookVerifier) {
        self.parser = parser
        self.verifier = verifier
    }
}

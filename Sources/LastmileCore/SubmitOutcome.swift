/// What the provider's API answered to a send.
public enum SubmitOutcome: String, Hashable, Sendable, Codable, CaseIterable {
    /// The API took the message.
    case accepted
    /// The API refused it (a 4xx or an explicit refusal in the answer).
    case rejected
    /// Transport error, timeout or 5xx: the answer says nothing about the message.
    case error
    /// The process stopped between the call and its answer; the message may or may not have left.
    case unknown
}

/// The API's answer to one send, normalised.
public struct SubmitAnswer: Hashable, Sendable, Codable {
    public var outcome: SubmitOutcome
    /// The provider's id for the message, used to match receipts.
    public var providerMessageID: String?
    /// The provider's own status word.
    public var providerStatus: String?
    /// The provider's error code, if any.
    public var errorCode: String?
    /// A human-readable reason for a rejection or an error.
    public var reason: String?
    /// The price the provider quoted, as it wrote it.
    public var price: String?
    /// The network the provider says it routed to.
    public var network: String?

    public init(outcome: SubmitOutcome, providerMessageID: String? = nil, providerStatus: String? = nil,
                errorCode: String? = nil, reason: String? = nil, price: String? = nil, network: String? = nil) {
        self.outcome = outcome
        self.providerMessageID = providerMessageID
        self.providerStatus = providerStatus
        self.errorCode = errorCode
        self.reason = reason
        self.price = price
        self.network = network
    }
}

/// Why an inbound report could not be joined to a canary. The report is kept, never dropped.
public enum UnmatchedReason: String, CaseIterable, Hashable, Sendable, Codable {
    /// An arrival's body carries no token at all.
    case noToken = "no_token"
    /// A token-shaped string that names no canary.
    case unknownToken = "unknown_token"
    /// A receipt for a provider message id (and token) that names no canary.
    case unknownMessageID = "unknown_message_id"
    /// The canary was already settled when the report came.
    case afterSettlement = "after_settlement"
}

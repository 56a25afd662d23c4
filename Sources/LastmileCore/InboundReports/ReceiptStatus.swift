/// A provider's delivery report, normalised from its own words.
public enum ReceiptStatus: String, CaseIterable, Hashable, Sendable, Codable {
    case pending, delivered, undelivered, failed, rejected, expired, deleted, unknown

    /// Whether the status ends the provider's story (everything but `pending` and `unknown`).
    public var isFinal: Bool {
        switch self {
        case .pending, .unknown: return false
        default: return true
        }
    }

    /// Whether the provider claims the message did not reach the handset.
    public var isFailure: Bool {
        switch self {
        case .undelivered, .failed, .rejected, .expired, .deleted: return true
        default: return false
        }
    }

    /// Ordering of statuses for out-of-order receipts: a later report never
    /// moves a canary to a lower rank, so `delivered` never returns to `pending`.
    var rank: Int {
        switch self {
        case .unknown: return 0
        case .pending: return 1
        default: return 2
        }
    }
}

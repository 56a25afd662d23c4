import LastmileCore

/// One provider's status words and what they mean, in one table.
public struct ReceiptStatusTable: Sendable {
    public let provider: String
    /// Lower-cased provider word → normalised status.
    public let entries: [(word: String, status: ReceiptStatus)]

    public init(provider: String, _ entries: [(String, ReceiptStatus)]) {
        self.provider = provider
        self.entries = entries.map { (word: $0.0.lowercased(), status: $0.1) }
    }

    /// The normalised status for a provider's word; `unknown` when the table does not know it.
    public func status(for word: String) -> ReceiptStatus {
        let lowered = word.lowercased()
        return entries.first { $0.word == lowered }?.status ?? .unknown
    }

    public static let twilio = ReceiptStatusTable(provider: "twilio", [
        ("accepted", .pending), ("scheduled", .pending), ("queued", .pending), ("sending", .pending), ("sent", .pending),
        ("delivered", .delivered), ("read", .delivered), ("undelivered", .undelivered), ("failed", .failed),
        ("canceled", .deleted),
    ])

    /// SMPP delivery-receipt `stat:` words (SMPP 3.4 appendix B), used by many aggregators.
    public static let smpp = ReceiptStatusTable(provider: "smpp", [
        ("ENROUTE", .pending), ("ACCEPTD", .pending), ("DELIVRD", .delivered), ("UNDELIV", .undelivered),
        ("EXPIRED", .expired), ("DELETED", .deleted), ("REJECTD", .rejected), ("UNKNOWN", .unknown),
    ])
}

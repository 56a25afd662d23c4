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

    public static let vonage = ReceiptStatusTable(provider: "vonage", [
        ("accepted", .pending), ("buffered", .pending), ("delivered", .delivered), ("expired", .expired),
        ("failed", .failed), ("rejected", .rejected), ("unknown", .unknown), ("deleted", .deleted),
    ])

    public static let plivo = ReceiptStatusTable(provider: "plivo", [
        ("queued", .pending), ("sent", .pending), ("delivered", .delivered), ("undelivered", .undelivered),
        ("failed", .failed), ("rejected", .rejected), ("read", .delivered),
    ])

    public static let telnyx = ReceiptStatusTable(provider: "telnyx", [
        ("queued", .pending), ("sending", .pending), ("sent", .pending), ("delivered", .delivered),
        ("sending_failed", .failed), ("delivery_failed", .undelivered), ("delivery_unconfirmed", .unknown), ("expired", .expired),
    ])

    public static let sinch = ReceiptStatusTable(provider: "sinch", [
        ("queued", .pending), ("dispatched", .pending), ("delivered", .delivered), ("failed", .failed),
        ("rejected", .rejected), ("expired", .expired), ("aborted", .deleted), ("cancelled", .deleted), ("deleted", .deleted),
        ("unknown", .unknown),
    ])

    /// Infobip's status groups.
    public static let infobip = ReceiptStatusTable(provider: "infobip", [
        ("pending", .pending), ("delivered", .delivered), ("undeliverable", .undelivered), ("expired", .expired),
        ("rejected", .rejected),
    ])

    public static let messagebird = ReceiptStatusTable(provider: "messagebird", [
        ("scheduled", .pending), ("sent", .pending), ("buffered", .pending), ("delivered", .delivered),
        ("expired", .expired), ("delivery_failed", .undelivered),
    ])

    /// Kannel's `%d` DLR types (a bit mask; one bit per report).
    public static let kannel = ReceiptStatusTable(provider: "kannel", [
        ("1", .delivered), ("2", .undelivered), ("4", .pending), ("8", .pending), ("16", .rejected),
    ])

    /// SMPP delivery-receipt `stat:` words (SMPP 3.4 appendix B), used by many aggregators.
    public static let smpp = ReceiptStatusTable(provider: "smpp", [
        ("ENROUTE", .pending), ("ACCEPTD", .pending), ("DELIVRD", .delivered), ("UNDELIV", .undelivered),
        ("EXPIRED", .expired), ("DELETED", .deleted), ("REJECTD", .rejected), ("UNKNOWN", .unknown), ("SKIPPED", .failed),
    ])

    /// Every table, for documentation.
    public static let all: [ReceiptStatusTable] = [.twilio, .vonage, .plivo, .telnyx, .sinch, .infobip, .messagebird, .kannel, .smpp]
}

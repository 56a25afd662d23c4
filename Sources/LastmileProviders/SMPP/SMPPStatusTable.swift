import LastmileCore

extension ReceiptStatusTable {
    /// SMPP delivery-receipt `stat:` words (SMPP 3.4 appendix B), used by many aggregators.
    public static let smpp = ReceiptStatusTable(provider: "smpp", [
        ("ENROUTE", .pending), ("ACCEPTD", .pending), ("DELIVRD", .delivered), ("UNDELIV", .undelivered),
        ("EXPIRED", .expired), ("DELETED", .deleted), ("REJECTD", .rejected), ("UNKNOWN", .unknown), ("SKIPPED", .failed),
    ])
}

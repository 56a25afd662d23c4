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
}

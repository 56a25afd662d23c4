import Foundation

/// A report from a receiver that a message arrived.
public struct ArrivalReport: Hashable, Sendable {
    /// Opaque id the caller gives the stored report.
    public var reference: Int64
    /// The receiver's configured name.
    public var receiver: String
    /// The sender as the phone saw it.
    public var from: String
    /// The body as the phone saw it.
    public var body: String
    /// When the receiver says it arrived.
    public var reportedAt: Date?
    /// When Lastmile ingested the report.
    public var ingestedAt: Date

    public init(reference: Int64 = 0, receiver: String, from: String, body: String,
                reportedAt: Date? = nil, ingestedAt: Date) {
        self.reference = reference
        self.receiver = receiver
        self.from = from
        self.body = body
        self.reportedAt = reportedAt
        self.ingestedAt = ingestedAt
    }
}

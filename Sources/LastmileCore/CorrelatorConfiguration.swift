import Foundation

/// Limits and tolerances of the correlator.
public struct CorrelatorConfiguration: Sendable, Hashable {
    /// How long a settled canary stays in memory to recognise late and duplicate reports.
    public var settledRetention: TimeInterval
    /// How much later than its ingest a receiver may claim an arrival before the claim is absurd.
    public var receiverClockTolerance: TimeInterval
    /// Receipts whose message id is not yet known are held this long, waiting for the API's answer.
    public var orphanReceiptLifetime: TimeInterval
    /// At most this many such receipts are held.
    public var maximumOrphanReceipts: Int
    /// At most this many of them for one route, so one route's callers cannot fill the room of all.
    public var maximumOrphanReceiptsPerRoute: Int

    public init(settledRetention: TimeInterval = 86_400, receiverClockTolerance: TimeInterval = 120,
                orphanReceiptLifetime: TimeInterval = 600, maximumOrphanReceipts: Int = 10_000,
                maximumOrphanReceiptsPerRoute: Int = 2_500) {
        self.settledRetention = settledRetention
        self.receiverClockTolerance = receiverClockTolerance
        self.orphanReceiptLifetime = orphanReceiptLifetime
        self.maximumOrphanReceipts = maximumOrphanReceipts
        self.maximumOrphanReceiptsPerRoute = maximumOrphanReceiptsPerRoute
    }
}

/// Something worth knowing about a canary beside its verdict.
public enum CanaryFact: String, CaseIterable, Hashable, Sendable, Codable, Comparable {
    /// Lost, yet the receipt said `delivered`: the route's receipts lie.
    case falseReceipt = "false_receipt"
    /// Lost, and the receipt said so.
    case honestFailure = "honest_failure"
    /// Lost, and no final receipt came.
    case silence
    /// Arrived, though the receipt claimed a failure.
    case receiptFailedButArrived = "receipt_failed_but_arrived"
    /// Arrived, though the API answered with an error.
    case apiErrorButArrived = "api_error_but_arrived"
    /// Arrived, though the API refused it.
    case apiRejectedButArrived = "api_rejected_but_arrived"
    /// The body as received differs from the body sent.
    case alteredBody = "altered_body"
    /// The sender as received differs from the sender configured.
    case alteredSender = "altered_sender"
    /// It arrived after its verdict was settled.
    case arrivedAfterSettlement = "arrived_after_settlement"
    /// The same arrival was reported more than once.
    case duplicateArrival = "duplicate_arrival"
    /// The same receipt was reported more than once.
    case duplicateReceipt = "duplicate_receipt"
    /// Receipts contradicted each other (two different final statuses).
    case conflictingReceipts = "conflicting_receipts"
    /// The receiver's clock put the arrival before the send; ingest time was used.
    case negativeLatency = "negative_latency"
    /// The receiver's clock gave an impossible latency; ingest time was used.
    case absurdLatency = "absurd_latency"

    public static func < (lhs: CanaryFact, rhs: CanaryFact) -> Bool { lhs.rawValue < rhs.rawValue }
}

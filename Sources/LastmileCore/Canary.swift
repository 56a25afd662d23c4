import Foundation

/// Where a canary is in its life.
public enum CanaryState: String, Hashable, Sendable, Codable {
    /// Written before the provider is called; no answer yet.
    case submitting
    /// The API answered (or the answer was lost to a restart).
    case submitted
    /// The verdict is decided.
    case settled
}

/// The first arrival of a canary, as used for its verdict.
public struct ArrivalRecord: Hashable, Sendable, Codable {
    public var ingestedAt: Date
    public var reportedAt: Date?
    /// Seconds from submit start, by the receiver's chosen clock (ingest time when that clock is unusable).
    public var latency: TimeInterval
    public var from: String
    public var body: String

    public init(ingestedAt: Date, reportedAt: Date?, latency: TimeInterval, from: String, body: String) {
        self.ingestedAt = ingestedAt
        self.reportedAt = reportedAt
        self.latency = latency
        self.from = from
        self.body = body
    }
}

/// One canary: its plan and everything learnt about it so far.
public struct Canary: Hashable, Sendable, Codable {
    public var plan: CanaryPlan
    /// Lastmile's clock when the submit began.
    public var submitStartedAt: Date
    /// Lastmile's clock when the API answered.
    public var submitEndedAt: Date?
    /// The API's answer; nil while submitting.
    public var submit: SubmitAnswer?
    /// The strongest receipt status seen (see `ReceiptStatus.rank`).
    public var receiptStatus: ReceiptStatus?
    /// The provider's words for `receiptStatus`.
    public var receiptRawStatus: String?
    /// Number of receipts that matched, duplicates included.
    public var receiptCount: Int
    /// The first arrival.
    public var arrival: ArrivalRecord?
    public var verdict: Verdict?
    public var settledAt: Date?
    public var facts: CanaryFacts
    /// Reports that repeated one already seen.
    public var duplicateCount: Int
    /// Receipts already seen, as status|raw status|error code, to recognise repeats.
    public var seenReceipts: Set<String> = []

    public init(plan: CanaryPlan, submitStartedAt: Date) {
        self.plan = plan
        self.submitStartedAt = submitStartedAt
        self.receiptCount = 0
        self.facts = []
        self.duplicateCount = 0
    }

    public var id: String { plan.id }

    public var state: CanaryState {
        if verdict != nil { return .settled }
        return submit == nil ? .submitting : .submitted
    }

    /// The instant after which a canary with no arrival settles.
    public var deadlineAt: Date { submitStartedAt.addingTimeInterval(plan.deadline) }

    /// Whether it is still open at `time` although its deadline has passed.
    public func isOverdue(at time: Date) -> Bool { verdict == nil && time >= deadlineAt }
}


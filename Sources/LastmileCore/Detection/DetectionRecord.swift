import Foundation

/// What the detectors need of one settled canary to rebuild their evidence after a start:
/// where it went, when it was sent, and what became of it.
public struct DetectionRecord: Sendable, Hashable {
    public var route: String
    public var carrier: String
    public var receiver: String
    public var sentAt: Date
    /// `.arrived`, `.failed` (lost) or `.excluded` (refused or never sent).
    public var outcome: SequentialDetector.Outcome
    /// Send-to-arrival seconds, for an arrival.
    public var latency: TimeInterval?
    /// When it was decided (its settlement).
    public var decidedAt: Date

    public init(route: String, carrier: String, receiver: String, sentAt: Date, outcome: SequentialDetector.Outcome,
                latency: TimeInterval?, decidedAt: Date) {
        self.route = route
        self.carrier = carrier
        self.receiver = receiver
        self.sentAt = sentAt
        self.outcome = outcome
        self.latency = latency
        self.decidedAt = decidedAt
    }

    /// The outcome a detector counts for a canary, or nil while it is still undecided.
    public static func outcome(verdict: Verdict?, submit: SubmitOutcome?, arrived: Bool) -> SequentialDetector.Outcome? {
        // Only accepted canaries (or unknown submits) are the accepted-delivery indicator's.
        if let submit, submit != .accepted, submit != .unknown { return .excluded }
        if arrived { return .arrived }
        guard let verdict else { return nil }
        return verdict == .lost ? .failed : .excluded
    }
}

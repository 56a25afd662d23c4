import Foundation
import LastmileCore

/// What taking back the store's state after a restart did.
public struct RecoverySummary: Sendable, Equatable {
    /// Canaries loaded into the correlator.
    public var restored = 0
    /// Canaries found `submitting`: now unknown submits, never to be resent.
    public var unknownSubmits = 0
    /// Canaries whose deadline passed while the process was down, now settled.
    public var settled = 0

    public init() {}
}

extension CanaryStore {
    /// Loads unsettled canaries (and those settled within `keepSettledFor` seconds) into
    /// `correlator`, marks the ones caught mid-submit as unknown submits, settles those past
    /// their deadline, and commits all of it before returning. Settled canaries need not be
    /// loaded: a late report for one is looked up in the store when it comes.
    ///
    /// With `settlingOverdue` false, overdue canaries are left for the caller to settle: a new
    /// leader first joins the reports that waited in the inbox, some of which came in time.
    public func recover(into correlator: inout Correlator, now: Date, keepSettledFor: TimeInterval = 0,
                        settlingOverdue: Bool = true) async throws -> RecoverySummary {
        let (summary, change, _) = try recoveryChange(into: &correlator, now: now, keepSettledFor: keepSettledFor,
                                                      settlingOverdue: settlingOverdue)
        try await commit(change)
        return summary
    }

    /// What `recover` does, without the commit: the change to commit before the correlator's
    /// state is relied on, and the settlement of overdue canaries in it (for the counts of
    /// verdicts and the SLOs, which must hear of the canaries lost while no one watched).
    public func recoveryChange(into correlator: inout Correlator, now: Date, keepSettledFor: TimeInterval = 0,
                               settlingOverdue: Bool = true) throws -> (RecoverySummary, StoreChange, CorrelationResult) {
        var summary = RecoverySummary()
        var changed: [String: Canary] = [:]
        let since = keepSettledFor > 0 ? now.addingTimeInterval(-keepSettledFor) : nil
        for canary in try canariesToRecover(settledSince: since) {
            let result = correlator.restore(canary)
            summary.restored += 1
            summary.unknownSubmits += result.changed.count
            for updated in result.changed { changed[updated.id] = updated }
        }
        var settlement = CorrelationResult()
        if settlingOverdue {
            settlement = correlator.advance(to: now)
            summary.settled = settlement.settled.count
            for updated in settlement.changed { changed[updated.id] = updated }
        }
        return (summary, StoreChange(canaries: Array(changed.values)), settlement)
    }
}

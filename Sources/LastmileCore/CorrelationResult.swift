/// How an inbound report was joined.
public enum ReportMatch: Hashable, Sendable {
    /// It joined a canary and told something new.
    case matched(canaryID: String)
    /// It joined a canary but repeated what was already known.
    case duplicate(canaryID: String)
    /// It joined nothing usable; `canaryID` names the canary when one was found but already settled.
    case unmatched(UnmatchedReason, canaryID: String?)

    /// The canary the report concerns, if any.
    public var canaryID: String? {
        switch self {
        case .matched(let id), .duplicate(let id): return id
        case .unmatched(_, let id): return id
        }
    }
}

/// What one correlator step changed, for the caller to persist and count.
public struct CorrelationResult: Sendable {
    /// New states of every canary the step changed.
    public var changed: [Canary] = []
    /// For a report: how it was joined.
    public var match: ReportMatch?
    /// Earlier unmatched receipts (by `reference`) that this step joined to a canary.
    public var claimedReceipts: [(reference: Int64, canaryID: String)] = []
    /// What happened to each canary, in order, for metrics.
    public var transitions: [CanaryTransition] = []

    public init() {}

    /// Ids of the canaries whose verdict this step decided, in the order it decided them (read
    /// from `transitions`, so that a step keeps one array fewer).
    public var settled: [String] {
        transitions.compactMap { transition in
            if case .settled = transition.kind { transition.canaryID } else { nil }
        }
    }

    /// Canaries that had settled before this step and whose first final receipt, saying
    /// delivered, came in it: the receipt-honesty SLO counts it now (a false one when the canary
    /// was lost), since it was no event of it at the settlement.
    public var lateDeliveredReceipts: [Canary] {
        let ids = transitions.compactMap { transition -> String? in
            if case .finalReceipt(.delivered) = transition.kind { transition.canaryID } else { nil }
        }
        guard !ids.isEmpty else { return [] }
        let settledNow = settled
        return changed.filter { ids.contains($0.id) && $0.verdict != nil && !settledNow.contains($0.id) }
    }

    /// The settled canaries among `changed`.
    public var settledCanaries: [Canary] {
        let settled = settled
        return changed.filter { settled.contains($0.id) }
    }
}

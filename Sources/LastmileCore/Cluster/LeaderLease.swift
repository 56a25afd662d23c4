/// What one instance knows of the cluster's leader lease, and so what it may do: a value moved
/// by the outcomes of its attempts to take or renew the lease, over instants its caller supplies
/// (tested on a clock that only moves when told).
///
/// The database decides who holds the lease and until when, by its own clock. An instance
/// believes it leads only until `duration` after the *start* of the attempt that won it, less a
/// margin: the database's expiry is at least that late, so a leader that cannot renew (cut off,
/// paused, overloaded) stops acting before another instance can take the lease over.
public struct LeaderLease: Sendable, Hashable {
    /// How long a won lease lasts.
    public let duration: Duration
    /// Held back from the end of each lease, for clocks that do not run at quite the same rate.
    public let margin: Duration
    /// The term of the lease held now; nil when not leading.
    public private(set) var term: Int64?
    private var validUntil: ContinuousClock.Instant?
    private var lastAttempt: ContinuousClock.Instant?
    /// When another holder's lease runs out, as far as the last lost attempt learned.
    private var othersLeaseEnds: ContinuousClock.Instant?

    public init(duration: Duration) {
        self.duration = duration
        margin = duration / 20
    }

    /// Whether this instance may act as the leader at `now`.
    public func isLeader(at now: ContinuousClock.Instant) -> Bool {
        guard term != nil, let validUntil else { return false }
        return now < validUntil
    }

    /// When this instance leads no longer, unless it renews first; nil when not leading.
    public var leadsUntil: ContinuousClock.Instant? { term == nil ? nil : validUntil }

    /// When to try to take or renew the lease next: a third of a lease after the last attempt, so
    /// a leader renews twice before its lease runs out and a follower takes over at most a
    /// third of a lease after the leader's lease ends.
    ///
    /// A follower that learned when the leader's lease ends tries again just after that, if
    /// sooner: a dead leader is replaced within one lease of its last renewal, not a third later.
    public func nextAttempt(after now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        guard let lastAttempt else { return now }
        var next = lastAttempt.advanced(by: duration / 3)
        if let othersLeaseEnds { next = min(next, othersLeaseEnds.advanced(by: Self.afterOthersLease)) }
        return max(now, next)
    }

    /// How long after another holder's lease should end a follower tries: long enough for the
    /// database's clock to agree that it has.
    static let afterOthersLease = Duration.milliseconds(20)

    /// An attempt begun at `startedAt` won (or renewed) the lease with `term`.
    public mutating func won(term: Int64, attemptStartedAt startedAt: ContinuousClock.Instant) {
        lastAttempt = startedAt
        othersLeaseEnds = nil
        self.term = term
        validUntil = startedAt.advanced(by: duration - margin)
    }

    /// An attempt begun at `startedAt` found the lease held by another instance, whose lease
    /// ends `othersRemaining` after the attempt began, when known.
    public mutating func lost(attemptStartedAt startedAt: ContinuousClock.Instant, othersRemaining: Duration? = nil) {
        lastAttempt = startedAt
        term = nil
        validUntil = nil
        othersLeaseEnds = othersRemaining.map { startedAt.advanced(by: $0) }
    }

    /// An attempt begun at `startedAt` got no answer (the database is unreachable): a leader
    /// keeps leading until its lease runs out on its own, and not a moment longer.
    public mutating func failed(attemptStartedAt startedAt: ContinuousClock.Instant) {
        lastAttempt = startedAt
    }

    /// Gives the lease up (at shutdown), so another instance need not wait for it to run out.
    public mutating func resign() {
        term = nil
        validUntil = nil
    }
}

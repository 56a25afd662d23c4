import Testing
@testable import LastmileCore

/// What an instance may do with the leader lease, over a clock that moves only when told.
@Suite struct LeaderLeaseTests {
    let start = ContinuousClock.now

    func at(_ seconds: Double) -> ContinuousClock.Instant { start.advanced(by: .seconds(seconds)) }

    @Test func aWonLeaseLastsFromTheAttemptsStartLessTheMargin() {
        var lease = LeaderLease(duration: .seconds(15))
        #expect(!lease.isLeader(at: at(0)))
        lease.won(term: 3, attemptStartedAt: at(1))
        #expect(lease.term == 3)
        #expect(lease.isLeader(at: at(1)))
        // 15 s less a twentieth: the database's expiry, counted from a later instant, is never earlier.
        #expect(lease.isLeader(at: at(15.2)))
        #expect(!lease.isLeader(at: at(15.25)))
    }

    @Test func aLeaderThatCannotRenewStopsWhenItsLeaseRunsOut() {
        var lease = LeaderLease(duration: .seconds(15))
        lease.won(term: 1, attemptStartedAt: at(0))
        lease.failed(attemptStartedAt: at(5))
        lease.failed(attemptStartedAt: at(10))
        #expect(lease.isLeader(at: at(14)))
        #expect(!lease.isLeader(at: at(14.25)))
        #expect(lease.term == 1)
    }

    @Test func renewingMovesTheEndAndLosingEndsItAtOnce() {
        var lease = LeaderLease(duration: .seconds(15))
        lease.won(term: 1, attemptStartedAt: at(0))
        lease.won(term: 1, attemptStartedAt: at(5))
        #expect(lease.isLeader(at: at(19)))
        lease.lost(attemptStartedAt: at(10))
        #expect(!lease.isLeader(at: at(10)))
        #expect(lease.term == nil)
        #expect(lease.leadsUntil == nil)
    }

    @Test func attemptsComeEveryThirdOfALease() {
        var lease = LeaderLease(duration: .seconds(15))
        #expect(lease.nextAttempt(after: at(0)) == at(0))
        lease.lost(attemptStartedAt: at(0))
        #expect(lease.nextAttempt(after: at(1)) == at(5))
        lease.won(term: 2, attemptStartedAt: at(5))
        #expect(lease.nextAttempt(after: at(6)) == at(10))
        // Late already: at once.
        #expect(lease.nextAttempt(after: at(12)) == at(12))
    }

    @Test func aFollowerThatKnowsWhenTheLeadersLeaseEndsTriesJustAfter() {
        var lease = LeaderLease(duration: .seconds(15))
        // The leader's lease has 2 s left: try again 20 ms after it ends, not a third of a lease later.
        lease.lost(attemptStartedAt: at(0), othersRemaining: .seconds(2))
        #expect(lease.nextAttempt(after: at(0.5)) == at(2).advanced(by: .milliseconds(20)))
        // More than a third of a lease left: the usual third still comes first.
        lease.lost(attemptStartedAt: at(3), othersRemaining: .seconds(14))
        #expect(lease.nextAttempt(after: at(3.5)) == at(8))
        // Won: what was learned of another's lease no longer matters.
        lease.won(term: 5, attemptStartedAt: at(8))
        #expect(lease.nextAttempt(after: at(8.1)) == at(13))
    }

    @Test func resigningStopsLeadingAtOnce() {
        var lease = LeaderLease(duration: .seconds(15))
        lease.won(term: 4, attemptStartedAt: at(0))
        lease.resign()
        #expect(!lease.isLeader(at: at(1)))
    }
}

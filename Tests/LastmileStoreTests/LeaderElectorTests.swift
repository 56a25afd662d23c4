import Foundation
import Glibc
import LastmileTestSupport
import Synchronization
import Testing
@testable import LastmileStore

/// Instances electing a leader on a real PostgreSQL server, watched every few milliseconds:
/// never two leaders at once, a dead leader replaced within its lease and a third of one, a
/// leader that steps down replaced at once.
@Suite(.serialized) struct LeaderElectorTests {
    /// Long enough that a renewal delayed by a busy machine does not lose the lease.
    static let lease = Duration.seconds(2)

    /// Samples who leads every 5 ms until `condition` holds or `seconds` pass; the samples where
    /// more than one led. On a thread of its own: the concurrency pool, busy with the other
    /// suites' start for seconds, would let a window pass without a sample.
    static func watch(_ electors: [LeaderElector], seconds: Double,
                      until condition: @escaping @Sendable () -> Bool) async throws -> (met: Bool, overlaps: Int) {
        await offThePool {
            let deadline = ContinuousClock.now.advanced(by: .seconds(seconds))
            var overlaps = 0
            while ContinuousClock.now < deadline {
                if electors.filter(\.isLeading).count > 1 { overlaps += 1 }
                if condition() { return (true, overlaps) }
                usleep(5_000)
            }
            return (false, overlaps)
        }
    }

    @Test func oneLeaderAtATimeThroughADeathAndAStepDown() async throws {
        guard let url = PostgresTestServer.url else {
            #expect(!PostgresTestServer.isRequired, "LASTMILE_TEST_POSTGRES_URL is not set under CI (.ci/run starts a server)")
            return
        }
        let table = PostgresLeaseTable(name: PostgresTestServer.uniqueName("election"))
        let first = LeaderElector(url: url, holder: "first", lease: Self.lease, table: table)
        let second = LeaderElector(url: url, holder: "second", lease: Self.lease, table: table)
        first.start()
        var watched = try await Self.watch([first, second], seconds: 10) { first.isLeading }
        #expect(watched.met, "the first instance never took the lease")
        second.start()
        // Two leases with both running: the first keeps the lease, the second never leads.
        watched = try await Self.watch([first, second], seconds: 4) { second.isLeading }
        #expect(!watched.met)
        #expect(first.isLeading)
        let firstTerm = first.term

        // The first dies without a word: the second takes over within a lease and a third, after
        // the first has stopped leading (the lease runs out on the first's own clock first).
        let died = ContinuousClock.now
        await first.stop(resign: false)
        // A stopped instance leads no longer, resigned or not.
        #expect(!first.isLeading)
        watched = try await Self.watch([first, second], seconds: 10) { second.isLeading }
        let takeover = ContinuousClock.now - died
        #expect(watched.met)
        #expect(watched.overlaps == 0)
        #expect(takeover < Self.lease + Self.lease / 3 + .seconds(1), "took \(takeover)")
        #expect(second.term == firstTerm.map { $0 + 1 })

        // The second steps down: a third instance takes over at once, not a lease later.
        let third = LeaderElector(url: url, holder: "third", lease: .seconds(3), table: table)
        third.start()
        try await Task.sleep(for: .milliseconds(100))
        #expect(!third.isLeading)
        let steppedDown = ContinuousClock.now
        await second.stop(resign: true)
        #expect(!second.isLeading)
        watched = try await Self.watch([second, third], seconds: 10) { third.isLeading }
        #expect(watched.met)
        #expect(watched.overlaps == 0)
        // Attempts come every second for a 3 s lease: the takeover waits for the next one, not for the lease.
        #expect(ContinuousClock.now - steppedDown < .milliseconds(2_500))
        await third.stop()
    }

    @Test func anUnreachableDatabaseMeansNoLeader() async throws {
        let elector = LeaderElector(url: "postgresql://nobody@127.0.0.1:1/none", holder: "alone", lease: .milliseconds(600))
        elector.start()
        try await Task.sleep(for: .milliseconds(800))
        #expect(!elector.isLeading)
        #expect(elector.term == nil)
        await elector.stop()
    }
}

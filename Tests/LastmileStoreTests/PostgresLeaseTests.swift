import Foundation
import LastmileTestSupport
import Synchronization
import Testing
@testable import LastmileStore

/// The leader lease on a real PostgreSQL server: one holder at a time, renewals in the same term,
/// takeover in the next, and fenced writes that a deposed leader cannot make.
@Suite struct PostgresLeaseTests {
    /// Runs `body` with a fresh connection, off the concurrency pool (libpq blocks).
    static func withConnection<T: Sendable>(_ url: String, _ body: @escaping @Sendable (PostgresConnection) throws(PostgresError) -> T) async throws -> T {
        try await offThePool { () -> Result<T, PostgresError> in
            do throws(PostgresError) {
                let connection = try PostgresConnection(url: url)
                try PostgresLeaseTable.create(on: connection)
                return .success(try body(connection))
            } catch {
                return .failure(error)
            }
        }.get()
    }

    static func server() -> String? {
        if PostgresTestServer.url == nil {
            #expect(!PostgresTestServer.isRequired, "LASTMILE_TEST_POSTGRES_URL is not set under CI (.ci/run starts a server)")
        }
        return PostgresTestServer.url
    }

    @Test func oneHolderAtATimeRenewingInItsTerm() async throws {
        guard let url = Self.server() else { return }
        let table = PostgresLeaseTable(name: PostgresTestServer.uniqueName("lease"))
        let terms = try await Self.withConnection(url) { connection throws(PostgresError) in
            [try table.acquire(holder: "a", duration: .seconds(30), on: connection),
             try table.acquire(holder: "b", duration: .seconds(30), on: connection),
             try table.acquire(holder: "a", duration: .seconds(30), on: connection)]
        }
        #expect(terms == [1, nil, 1])
        let current = try await Self.withConnection(url) { connection throws(PostgresError) in try table.current(on: connection)?.holder }
        #expect(current == "a")
    }

    @Test func aLeaseThatRunsOutPassesInTheNextTermAndTheOldTermIsFencedOff() async throws {
        guard let url = Self.server() else { return }
        let table = PostgresLeaseTable(name: PostgresTestServer.uniqueName("lease"))
        let log = PostgresTestServer.uniqueName("fenced")
        let first = try await Self.withConnection(url) { connection throws(PostgresError) in
            try connection.query("CREATE TABLE \(log) (writer text NOT NULL)")
            return try table.acquire(holder: "a", duration: .milliseconds(300), on: connection)
        }
        #expect(first == 1)
        // Wait on the database's clock, not on a guess: until the lease has run out there.
        try await Self.withConnection(url) { connection throws(PostgresError) in
            while try table.current(on: connection) != nil { try connection.query("SELECT pg_sleep(0.05)") }
        }
        let outcome = try await Self.withConnection(url) { connection throws(PostgresError) in
            let second = try table.acquire(holder: "b", duration: .seconds(30), on: connection)
            let renewed = try table.acquire(holder: "a", duration: .seconds(30), on: connection)
            // Each writer fences its write with its term, as every leader-only write is.
            let deposed = try connection.transaction { () throws(PostgresError) -> Bool in
                guard try table.fence(holder: "a", term: 1, on: connection) else { return false }
                try connection.query("INSERT INTO \(log) VALUES ('a')")
                return true
            }
            let leader = try connection.transaction { () throws(PostgresError) -> Bool in
                guard try table.fence(holder: "b", term: second ?? -1, on: connection) else { return false }
                try connection.query("INSERT INTO \(log) VALUES ('b')")
                return true
            }
            let writers = try connection.query("SELECT writer FROM \(log)").map { $0[0] ?? "" }
            try connection.query("DROP TABLE \(log)")
            return (second, renewed, deposed, leader, writers)
        }
        #expect(outcome.0 == 2)
        #expect(outcome.1 == nil)
        #expect(outcome.2 == false)
        #expect(outcome.3 == true)
        #expect(outcome.4 == ["b"])
    }

    @Test func aReleasedLeaseIsTakenAtOnce() async throws {
        guard let url = Self.server() else { return }
        let table = PostgresLeaseTable(name: PostgresTestServer.uniqueName("lease"))
        let terms = try await Self.withConnection(url) { connection throws(PostgresError) in
            let first = try table.acquire(holder: "a", duration: .seconds(30), on: connection)
            try table.release(holder: "a", on: connection)
            let second = try table.acquire(holder: "b", duration: .seconds(30), on: connection)
            return [first, second]
        }
        #expect(terms == [1, 2])
    }

    @Test func ofManyContendersAtOnceExactlyOneWins() async throws {
        guard let url = Self.server() else { return }
        let table = PostgresLeaseTable(name: PostgresTestServer.uniqueName("lease"))
        // The table exists before the race: concurrent CREATE TABLE IF NOT EXISTS may collide.
        try await Self.withConnection(url) { _ in }
        let winners = try await withThrowingTaskGroup(of: Int64?.self) { group in
            for index in 0..<8 {
                group.addTask {
                    try await Self.withConnection(url) { connection throws(PostgresError) in
                        try table.acquire(holder: "instance-\(index)", duration: .seconds(30), on: connection)
                    }
                }
            }
            var terms: [Int64?] = []
            for try await term in group { terms.append(term) }
            return terms
        }
        #expect(winners.compactMap { $0 } == [1])
        #expect(winners.count == 8)
    }

    @Test func aFencedWriteHoldsUpATakeoverButNotItsOwnLeadersRenewal() async throws {
        guard let url = Self.server() else { return }
        let table = PostgresLeaseTable(name: PostgresTestServer.uniqueName("lease"))
        let outcome = try await offThePool { () -> Result<(renewed: Int64?, blocked: Bool, taken: Int64?), PostgresError> in
            do throws(PostgresError) {
                let writer = try PostgresConnection(url: url)
                try PostgresLeaseTable.create(on: writer)
                // Its transaction waits on this test between statements, however busy the machine.
                try writer.query("SET idle_in_transaction_session_timeout = 0")
                let other = try PostgresConnection(url: url, answerTimeout: .seconds(5))
                let term = try table.acquire(holder: "a", duration: .seconds(30), on: writer)
                // A leader's write under way: the fence holds the lease row for its transaction.
                try writer.query("BEGIN")
                guard try table.fence(holder: "a", term: term ?? -1, on: writer) else { throw PostgresError(message: "not fenced") }
                // Its renewal goes through at once (it would fail at the 5 s limit if it waited)...
                let renewed = try table.acquire(holder: "a", duration: .seconds(30), on: other)
                try table.release(holder: "a", on: other)
                // ...while another instance's takeover waits for the write to end.
                let taker = Mutex<(pid: String?, result: Result<Int64?, PostgresError>?)>((nil, nil))
                let thread = Thread {
                    do throws(PostgresError) {
                        // It waits as long as the test takes to see it waiting, however busy the machine.
                        let connection = try PostgresConnection(url: url, answerTimeout: .seconds(120))
                        let pid = try connection.query("SELECT pg_backend_pid()").first?[0]
                        taker.withLock { $0.pid = pid }
                        let term = try table.acquire(holder: "b", duration: .seconds(30), on: connection)
                        taker.withLock { $0.result = .success(term) }
                    } catch {
                        taker.withLock { $0.result = .failure(error) }
                    }
                }
                thread.start()
                var blocked = false
                for _ in 0..<1_200 where !blocked {
                    Thread.sleep(forTimeInterval: 0.05)
                    guard let pid = taker.withLock({ $0.pid }) else { continue }
                    blocked = try other.query("SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1", [pid]).first?[0] == "Lock"
                }
                blocked = blocked && taker.withLock { $0.result == nil }
                try writer.query("COMMIT")
                for _ in 0..<1_200 where taker.withLock({ $0.result == nil }) { Thread.sleep(forTimeInterval: 0.05) }
                let taken = try taker.withLock { $0.result }?.get()
                return .success((renewed, blocked, taken ?? nil))
            } catch {
                return .failure(error)
            }
        }.get()
        #expect(outcome.renewed == 1)
        #expect(outcome.blocked, "the takeover did not wait for the fenced write")
        #expect(outcome.taken == 2)
    }

    @Test func aSessionStartedAgainIsToldTheServersLimitsAgain() async throws {
        guard let url = Self.server() else { return }
        let settings = try await offThePool { () -> Result<[String?], PostgresError> in
            do throws(PostgresError) {
                let connection = try PostgresConnection(url: url, answerTimeout: .seconds(10))
                let before = try connection.query("SELECT pg_backend_pid()").first?[0]
                connection.reset()
                let row = try connection.query("""
                    SELECT pg_backend_pid(), current_setting('idle_in_transaction_session_timeout'), current_setting('statement_timeout')
                    """).first
                return .success([before] + (row?.values ?? []))
            } catch {
                return .failure(error)
            }
        }.get()
        #expect(settings.count == 4)
        #expect(settings[0] != settings[1], "a reset starts a new session")
        #expect(Array(settings.dropFirst(2)) == ["2s", "9s"])
    }

    @Test func aWrongStatementSaysWhatTheServerSaid() async throws {
        guard let url = Self.server() else { return }
        let failure = await offThePool { () -> PostgresError? in
            do throws(PostgresError) {
                let connection = try PostgresConnection(url: url)
                try connection.query("SELECT * FROM no_such_table_here")
                return nil
            } catch {
                return error
            }
        }
        #expect(failure?.sqlState == "42P01")
        #expect(failure?.message.contains("no_such_table_here") == true)
    }

    @Test func anUnreachableServerIsAnErrorNotAHang() async {
        let failure = await offThePool { () -> PostgresError? in
            do throws(PostgresError) {
                _ = try PostgresConnection(url: "postgresql://nobody@127.0.0.1:1/none", timeout: 2)
                return nil
            } catch {
                return error
            }
        }
        #expect(failure?.message.hasPrefix("cannot connect") == true)
    }
}

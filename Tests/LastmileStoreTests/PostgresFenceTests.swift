import Foundation
import LastmileCore
import LastmileTestSupport
import Testing
@testable import LastmileStore

/// A shared store writes the leader's changes only under the lease, takes reports into its inbox
/// from anyone, and lets each inbox entry be consumed once.
@Suite struct PostgresFenceTests {
    @Test func onlyTheHolderOfTheLeaseInItsTermWritesCanaries() async throws {
        guard let place = try await TestStorePlace.make(.postgres), case .postgres(let url) = place.location else { return }
        let store = try CanaryStore(location: place.location)
        defer { store.beginClosing() }
        let canary = Canary(plan: makePlan("c1", payload: 1), submitStartedAt: t0)
        await #expect(throws: NotLeading.self) { try await store.recordSubmitting(canary) }

        let table = PostgresLeaseTable(name: "leader")
        let admin = try PostgresConnection(url: url)
        try PostgresLeaseTable.create(on: admin)
        let term = try #require(try table.acquire(holder: "a", duration: .seconds(30), on: admin))
        store.setFence(LeaseFence(holder: "a", term: term))
        try await store.recordSubmitting(canary)
        #expect(try store.canary(id: "c1") != nil)

        // The lease runs out and another instance takes it in the next term: "a" writes no more.
        try admin.query("UPDATE lastmile_lease SET expires_at = now() WHERE name = 'leader'")
        let next = try #require(try table.acquire(holder: "b", duration: .seconds(30), on: admin))
        #expect(next == term + 1)
        var settled = canary
        settled.verdict = .lost
        await #expect(throws: NotLeading.self) { try await store.commit(StoreChange(canaries: [settled])) }
        #expect(try store.canary(id: "c1")?.verdict == nil)
    }

    /// A write queued in one term and run in the next, though this instance holds both, carries
    /// the earlier term's state: it is refused, and one queued in the new term lands.
    @Test func aWriteQueuedBeforeANewTermIsRefusedInIt() async throws {
        guard let place = try await TestStorePlace.make(.postgres), case .postgres(let url) = place.location else { return }
        let store = try CanaryStore(location: place.location)
        defer { store.beginClosing() }
        let table = PostgresLeaseTable()
        let admin = try PostgresConnection(url: url)
        try PostgresLeaseTable.create(on: admin)
        let term = try #require(try table.acquire(holder: "a", duration: .seconds(60), on: admin))
        store.setFence(LeaseFence(holder: "a", term: term))

        // The writer waits on the lease row inside its first batch, so the next write waits in its queue.
        // The admin's transaction sits idle meanwhile, as long as a busy machine takes: the server
        // must not end it (connections end transactions idle for 2 s; this one is the test's).
        try admin.query("SET idle_in_transaction_session_timeout = 0")
        try admin.query("BEGIN")
        try admin.query("SELECT term FROM lastmile_lease FOR UPDATE")
        let first = Task { try await store.recordSubmitting(Canary(plan: makePlan("first", payload: 1), submitStartedAt: t0)) }
        let observer = try PostgresConnection(url: url)
        let deadline = ContinuousClock.now + .seconds(60)
        while try observer.query("SELECT count(*) FROM pg_locks WHERE NOT granted").first?[0] == "0" {
            guard ContinuousClock.now < deadline else {
                Issue.record("the writer never waited on the lease row")
                return
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        let stale = Task { try await store.recordSubmitting(Canary(plan: makePlan("stale", payload: 2), submitStartedAt: t0)) }
        // The leader's other writes too: its alerts, its outbox, its pruning.
        let staleAlerts = Task { try await store.saveAlerts(firing: [], pending: [], outbox: []) }
        let staleOutbox = Task { try await store.removeFromOutbox(notifiersOtherThan: []) }
        let stalePrune = Task { try await store.prune(before: t0, unmatchedBefore: t0) }
        while store.queuedWrites < 4 {
            guard ContinuousClock.now < deadline else {
                Issue.record("the second write never queued")
                return
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        // Meanwhile the lease runs out and this instance takes it again, in the next term.
        try admin.query("UPDATE lastmile_lease SET expires_at = now()")
        let next = try #require(try table.acquire(holder: "a", duration: .seconds(60), on: admin))
        #expect(next == term + 1)
        store.setFence(LeaseFence(holder: "a", term: next))
        try admin.query("COMMIT")

        await #expect(throws: NotLeading.self) { try await first.value }
        await #expect(throws: NotLeading.self) { try await stale.value }
        await #expect(throws: NotLeading.self) { try await staleAlerts.value }
        await #expect(throws: NotLeading.self) { try await staleOutbox.value }
        await #expect(throws: NotLeading.self) { try await stalePrune.value }
        #expect(try store.canary(id: "stale") == nil)
        try await store.recordSubmitting(Canary(plan: makePlan("fresh", payload: 3), submitStartedAt: t0))
        #expect(try store.canary(id: "fresh") != nil)
    }

    @Test func anInboxNoLeaderEmptiesRefusesReportsPastItsLimit() async throws {
        guard let place = try await TestStorePlace.make(.postgres) else { return }
        let store = try await place.open(StoreConfiguration(maximumInboxBytes: 1_000))
        defer { store.beginClosing() }
        func entry(_ index: Int) -> InboxEntry {
            InboxEntry(receivedAt: t0, instance: "b", reports: Data(repeating: 0x7B, count: 100), rawPayload: Data(repeating: UInt8(index), count: 200))
        }
        for index in 0..<3 { try await store.enqueue(entry(index)) }
        // 900 bytes wait; 300 more would pass the limit: refused, and the sender is told to retry.
        await #expect(throws: InboxFull.self) { try await store.enqueue(entry(3)) }
        #expect(try store.inbox(limit: 10).count == 3)
        // Another instance counts what waits before it adds: the same limit holds for it.
        let other = try await place.open(StoreConfiguration(maximumInboxBytes: 1_000))
        defer { other.beginClosing() }
        await #expect(throws: InboxFull.self) { try await other.enqueue(entry(4)) }
        let roomy = try await place.open(StoreConfiguration(maximumInboxBytes: 1_300))
        defer { roomy.beginClosing() }
        try await roomy.enqueue(entry(5))
        #expect(try store.inbox(limit: 10).count == 4)
    }

    @Test func anEntryWrittenAgainAfterAnotherOfItsBatchFailedIsCountedOnce() async throws {
        guard let place = try await TestStorePlace.make(.postgres) else { return }
        let store = try await place.open(StoreConfiguration(maximumInboxBytes: 1_000_000))
        defer { store.beginClosing() }
        let intake = try #require(store.intake)
        // The intake is held while ten entries queue, so they make one batch; two of them name a
        // spool file already waiting and fail, and the others are written again without them.
        try await store.enqueue(InboxEntry(receivedAt: t0, instance: "b", reports: Data(count: 100), rawPayload: Data(),
                                           sourceKey: "spool/taken"))
        let outcomes = try await intake.holding(until: 10) {
            await withTaskGroup(of: Bool.self) { group in
                for index in 0..<10 {
                    group.addTask {
                        let key = index == 3 || index == 7 ? "spool/taken" : "spool/\(index)"
                        let entry = InboxEntry(receivedAt: t0, instance: "b", reports: Data(count: 100), rawPayload: Data(), sourceKey: key)
                        return (try? await store.enqueue(entry)) != nil
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
        }
        #expect(outcomes.filter { $0 }.count == 8)
        #expect(try store.inboxCount() == 9)
        // What the intake counts is what waits: nine entries of 100 bytes, none counted twice.
        #expect(store.inboxFill.bytes == 900)
    }

    @Test func aChargeMadeBeforeACountIsMadeAgainAndNotGivenBackTwice() async throws {
        guard let place = try await TestStorePlace.make(.postgres), case .postgres(let url) = place.location else { return }
        let store = try await place.open()
        defer { store.beginClosing() }
        let connection = try PostgresDatabase(url: url)
        let fill = InboxFill(limit: 1_000)
        let start = ContinuousClock.now
        try fill.recountIfDue(on: connection, at: start)
        // Charged, then counted again before its write ended (the count never saw it), then not stored:
        // nothing is given back that the count did not have.
        let failed = UUID()
        try fill.charge(failed, size: 100)
        #expect(fill.bytes == 100)
        try fill.recountIfDue(on: connection, at: start + InboxFill.recountInterval)
        fill.settle(failed, size: 100, stored: false)
        #expect(fill.bytes == 0)
        // Charged, counted again, and written again in the next transaction: charged again, once.
        let rerun = UUID()
        try fill.charge(rerun, size: 100)
        try fill.recountIfDue(on: connection, at: start + InboxFill.recountInterval * 2)
        try fill.charge(rerun, size: 100)
        try fill.charge(rerun, size: 100)
        fill.settle(rerun, size: 100, stored: true)
        #expect(fill.bytes == 100)
        // Past the limit, refused and not charged.
        #expect(throws: InboxFull.self) { try fill.charge(UUID(), size: 901) }
        #expect(fill.bytes == 100)
    }

    @Test func anyoneEnqueuesAndEachEntryIsConsumedOnce() async throws {
        guard let place = try await TestStorePlace.make(.postgres), case .postgres(let url) = place.location else { return }
        let store = try CanaryStore(location: place.location)
        defer { store.beginClosing() }
        let entry = InboxEntry(receivedAt: t0, instance: "b", reports: Data("{}".utf8), rawPayload: Data([0, 1, 2, 255]),
                               sourceKey: "spool/1")
        try await store.enqueue(entry)
        await #expect(throws: (any Error).self) { try await store.enqueue(entry) }
        #expect(try store.hasArrival(sourceKey: "spool/1"))
        let waiting = try store.inbox(limit: 10)
        #expect(waiting.count == 1)
        #expect(waiting.first?.rawPayload == entry.rawPayload)
        #expect(waiting.first?.receivedAt == t0)

        let admin = try PostgresConnection(url: url)
        try PostgresLeaseTable.create(on: admin)
        let term = try #require(try PostgresLeaseTable().acquire(holder: "a", duration: .seconds(30), on: admin))
        store.setFence(LeaseFence(holder: "a", term: term))
        var change = StoreChange()
        change.consumedInbox = waiting.map(\.id)
        try await store.commit(change)
        #expect(try store.inboxCount() == 0)
        await #expect(throws: StoreConflict.self) { try await store.commit(change) }
    }
}

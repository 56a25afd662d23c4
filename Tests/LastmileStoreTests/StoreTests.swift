import CSQLite
import Foundation
import LastmileCore
import LastmileTestSupport
import Synchronization
import Testing
@testable import LastmileStore

func makePlan(_ id: String, payload: UInt64, route: String = "r1", deadline: TimeInterval = 900) -> CanaryPlan {
    let token = Token(payload: payload)
    return CanaryPlan(id: id, token: token, route: route, carrier: "EE", probe: "p1", receiver: "rx1",
                      to: "+447700900123", from: "LASTMILE", body: "Lastmile check \(token)",
                      threshold: 60, deadline: deadline, latencyClock: .receiver)
}

let t0 = Date(timeIntervalSince1970: 1_800_000_000)

@Suite struct StoreSchemaTests {
    @Test func opensInWALWithForeignKeysAndTheCurrentSchema() throws {
        let directory = try TemporaryDirectory()
        let store = try CanaryStore(path: directory.path("s.db"))
        defer { store.beginClosing() }
        let (mode, keys, version, timeout) = try store.read { connection in
            (try connection.scalar("PRAGMA journal_mode")?.text, try connection.scalar("PRAGMA foreign_keys")?.integer,
             try connection.scalar("PRAGMA user_version")?.integer, try connection.scalar("PRAGMA busy_timeout")?.integer)
        }
        #expect(mode == "wal")
        #expect(keys == 1)
        #expect(version == Int64(Schema.currentVersion))
        #expect(timeout == 5_000)
    }

    @Test func reopeningDoesNotMigrateTwice() async throws {
        let directory = try TemporaryDirectory()
        let first = try CanaryStore(path: directory.path("s.db"))
        await first.close()
        let second = try CanaryStore(path: directory.path("s.db"))
        await second.close()
    }

    @Test func refusesADatabaseFromANewerVersion() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("s.db")
        await (try CanaryStore(path: path)).close()
        let connection = try SQLiteConnection(path: path)
        try connection.execute("PRAGMA user_version = 99")
        #expect(throws: SQLiteError.self) { try CanaryStore(path: path) }
    }

    @Test func aFileAtItsSizeCapStillOpensAfterAMigrationThatNeedsRoom() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("s.db")
        await (try CanaryStore(path: path)).close()
        // As a file of the version before the pruning index (and the alert outbox after it) were added, filled to its cap.
        let old = try SQLiteConnection(path: path)
        try old.execute("DROP TABLE alert_outbox")
        try old.execute("DROP INDEX canaries_settled_at")
        try old.execute("PRAGMA user_version = 8")
        try old.execute("VACUUM")
        let pages = Int(try old.scalar("PRAGMA page_count")?.integer ?? 0)
        let store = try CanaryStore(path: path, configuration: StoreConfiguration(maximumPageCount: pages))
        defer { store.beginClosing() }
        let version = try store.read { try $0.scalar("PRAGMA user_version")?.integer }
        #expect(version == Int64(Schema.currentVersion))
    }

    @Test func lookupIndexesExist() throws {
        let directory = try TemporaryDirectory()
        let store = try CanaryStore(path: directory.path("s.db"))
        defer { store.beginClosing() }
        let plans = try store.read { connection in
            try ["SELECT * FROM canaries WHERE token = 'x'",
                 "SELECT * FROM canaries WHERE route = 'r' AND provider_message_id = 'm'",
                 "SELECT * FROM canaries WHERE route = 'r' AND carrier = 'c' AND settled_at > 0",
                 // What pruning looks for, each pass.
                 "SELECT id FROM canaries WHERE state = 'settled' AND settled_at < 5 LIMIT 1000"].map { sql in
                return try connection.rows("EXPLAIN QUERY PLAN " + sql).compactMap { $0[3].text }.joined(separator: " ")
            }
        }
        #expect(plans[0].contains("USING INDEX sqlite_autoindex_canaries"))
        #expect(plans[1].contains("canaries_by_message_id"))
        #expect(plans[2].contains("canaries_by_settlement"))
        #expect(plans[3].contains("canaries_settled_at"), "\(plans[3])")
    }
}

@Suite struct StoreRoundTripTests {
    @Test(arguments: StoreEngine.allCases) func aCanaryRoundTripsWithEveryField(engine: StoreEngine) async throws {
        guard let place = try await TestStorePlace.make(engine) else { return }
        let store = try await place.open()
        defer { store.beginClosing() }
        var canary = Canary(plan: makePlan("c1", payload: 12345), submitStartedAt: t0)
        canary.submitEndedAt = t0.addingTimeInterval(0.25)
        canary.submit = SubmitAnswer(outcome: .accepted, providerMessageID: "SM1", providerStatus: "queued",
                                     errorCode: "0", reason: nil)
        canary.receiptStatus = .delivered
        canary.receiptRawStatus = "DELIVRD"
        canary.receiptCount = 3
        canary.seenReceipts = ["delivered|DELIVRD|", "pending|ENROUTE|"]
        canary.arrival = ArrivalRecord(ingestedAt: t0.addingTimeInterval(9), reportedAt: t0.addingTimeInterval(8),
                                       latency: 8, from: "LASTMILE", body: "FreeMsg: x")
        canary.verdict = .delivered
        canary.settledAt = t0.addingTimeInterval(9)
        canary.facts = [.alteredBody, .duplicateReceipt]
        canary.duplicateCount = 2
        try await store.recordSubmitting(canary)
        #expect(try store.canary(id: "c1") == canary)
        #expect(try store.canary(token: Token(payload: 12345)) == canary)
        #expect(try store.canary(route: "r1", providerMessageID: "SM1") == canary)
        #expect(try store.canary(id: "nope") == nil)
    }

    @Test(arguments: StoreEngine.allCases) func aSubmittingCanaryHasNullsWhereNothingIsKnown(engine: StoreEngine) async throws {
        guard let place = try await TestStorePlace.make(engine) else { return }
        let store = try await place.open()
        defer { store.beginClosing() }
        let canary = Canary(plan: makePlan("c1", payload: 1), submitStartedAt: t0)
        try await store.recordSubmitting(canary)
        let loaded = try #require(try store.canary(id: "c1"))
        #expect(loaded.state == .submitting)
        #expect(loaded.submit == nil)
        #expect(loaded.arrival == nil)
        #expect(loaded == canary)
    }

    @Test(arguments: StoreEngine.allCases) func reportsKeepTheirRawPayloadAndUnmatchedReason(engine: StoreEngine) async throws {
        guard let place = try await TestStorePlace.make(engine) else { return }
        let store = try await place.open()
        defer { store.beginClosing() }
        let receiptID = try store.reserveReportID()
        let arrivalID = try store.reserveReportID()
        #expect(arrivalID == receiptID + 1)
        let raw = Data("status=DELIVRD&id=SM9\u{0}binary".utf8)
        let receipt = StoredReceipt(
            report: ReceiptReport(reference: receiptID, route: "r1", providerMessageID: "SM9", status: .delivered,
                                  rawStatus: "DELIVRD", ingestedAt: t0),
            match: .unmatched(.unknownMessageID, canaryID: nil), rawPayload: raw)
        let arrival = StoredArrival(
            report: ArrivalReport(reference: arrivalID, receiver: "rx1", from: "x", body: "hello", ingestedAt: t0),
            match: .unmatched(.noToken, canaryID: nil), rawPayload: Data("{\"body\":\"hello\"}".utf8))
        try await store.commit(StoreChange(receipts: [receipt], arrivals: [arrival]))
        #expect(try store.unmatchedCounts() == [.unknownMessageID: 1, .noToken: 1])
        let rawBack = try store.read { connection in
            try connection.scalar("SELECT raw_payload FROM unmatched_reports WHERE kind = 'receipt'")?.blob
        }
        #expect(rawBack == raw)
        #expect(try store.reportIDs() == [receiptID, arrivalID])
    }

    @Test(arguments: StoreEngine.allCases) func aBodyWithANulCharacterIsStoredWhole(engine: StoreEngine) async throws {
        guard let place = try await TestStorePlace.make(engine) else { return }
        let store = try await place.open()
        defer { store.beginClosing() }
        let arrival = StoredArrival(
            report: ArrivalReport(reference: try store.reserveReportID(), receiver: "rx1", from: "x", body: "before\u{0}after", ingestedAt: t0),
            match: .unmatched(.noToken, canaryID: nil), rawPayload: Data())
        try await store.commit(StoreChange(arrivals: [arrival]))
        let body = try store.read { try $0.scalar("SELECT body FROM arrivals")?.text }
        // SQLite keeps the NUL; PostgreSQL's text cannot hold one, and gets U+FFFD in its place: neither cuts the body short.
        #expect(body == "before\u{0}after" || body == "before\u{FFFD}after", "\(String(describing: body))")
    }

    @Test(arguments: StoreEngine.allCases) func aRequestBodyIsStoredOnceInItsReportsRowOrSharedByMany(engine: StoreEngine) async throws {
        guard let place = try await TestStorePlace.make(engine) else { return }
        let store = try await place.open()
        defer { store.beginClosing() }
        func arrival(_ body: String) throws -> StoredArrival {
            StoredArrival(report: ArrivalReport(reference: try store.reserveReportID(), receiver: "rx1", from: "x", body: body, ingestedAt: t0),
                          match: .unmatched(.noToken, canaryID: nil), rawPayload: Data("own".utf8))
        }
        // One report: its request's body goes in its own row, with no shared payload row.
        let single = Data(#"{"body":"one"}"#.utf8)
        var alone = StoreChange(arrivals: [try arrival("one")])
        alone.payload = RequestPayload(body: single, receivedAt: t0)
        try await store.commit(alone)
        // Two reports of one request: the body once, in `payloads`, named by both rows.
        let batch = Data(#"[{"body":"two"},{"body":"three"}]"#.utf8)
        var pair = StoreChange(arrivals: [try arrival("two"), try arrival("three")])
        pair.payload = RequestPayload(body: batch, receivedAt: t0)
        try await store.commit(pair)
        let rows = try store.read { connection in
            try connection.rows("SELECT body, raw_payload, payload_id FROM arrivals ORDER BY id")
        }
        #expect(rows.map { $0[0].text } == ["one", "two", "three"])
        #expect(rows[0][1].blob == single)
        #expect(rows[0][2].integer == nil)
        #expect(rows[1][1].blob == Data() && rows[2][1].blob == Data())
        #expect(rows[1][2].integer != nil && rows[1][2].integer == rows[2][2].integer)
        #expect(try store.read { try $0.scalar("SELECT count(*) FROM payloads")?.integer } == 1)
        // A body cut short keeps its mark: it goes to `payloads` even for one report.
        var cut = StoreChange(arrivals: [try arrival("four")])
        cut.payload = RequestPayload(body: Data("[".utf8), truncated: true, receivedAt: t0)
        try await store.commit(cut)
        #expect(try store.read { try $0.scalar("SELECT count(*) FROM payloads WHERE truncated = 1")?.integer } == 1)
        // Read back through the view, each report gives its request's body.
        let viewed = try store.read { connection in
            try connection.rows("SELECT raw_payload FROM unmatched_reports WHERE kind = 'arrival' ORDER BY id").map { $0[0].blob }
        }
        #expect(viewed == [single, batch, batch, Data("[".utf8)])
    }

    @Test(arguments: StoreEngine.allCases) func aClaimJoinsAnEarlierUnmatchedReceipt(engine: StoreEngine) async throws {
        guard let place = try await TestStorePlace.make(engine) else { return }
        let store = try await place.open()
        defer { store.beginClosing() }
        var correlator = Correlator()
        let plan = makePlan("c1", payload: 77)
        try await store.commit(StoreChange(correlator.submitStarted(plan, at: t0)))
        let id = try store.reserveReportID()
        let report = ReceiptReport(reference: id, route: "r1", providerMessageID: "FAST", status: .delivered,
                                   rawStatus: "delivered", ingestedAt: t0.addingTimeInterval(0.2))
        let early = correlator.ingest(report)
        try await store.commit(StoreChange(early, receipts: [StoredReceipt(report: report, match: early.match, rawPayload: Data())]))
        #expect(try store.unmatchedCounts() == [.unknownMessageID: 1])
        let answered = correlator.submitAnswered(id: "c1", answer: SubmitAnswer(outcome: .accepted, providerMessageID: "FAST"),
                                                 at: t0.addingTimeInterval(0.5))
        try await store.commit(StoreChange(answered))
        #expect(try store.unmatchedCounts().isEmpty)
        #expect(try store.receipts(canaryID: "c1").map(\.id) == [id])
        #expect(try store.canary(id: "c1")?.receiptStatus == .delivered)
    }

    @Test(arguments: StoreEngine.allCases) func reportIDsContinueAfterReopening(engine: StoreEngine) async throws {
        guard let place = try await TestStorePlace.make(engine) else { return }
        let store = try await place.open()
        let id = try store.reserveReportID()
        try await store.commit(StoreChange(arrivals: [StoredArrival(
            report: ArrivalReport(reference: id, receiver: "rx", from: "x", body: "b", ingestedAt: t0),
            match: .unmatched(.noToken, canaryID: nil), rawPayload: Data())]))
        await store.close()
        let reopened = try await place.open()
        defer { reopened.beginClosing() }
        #expect(try reopened.reserveReportID() > id)
    }
}

@Suite struct StoreRecoveryTests {
    @Test(arguments: StoreEngine.allCases) func aCanaryCaughtMidSubmitBecomesUnknownAndStillMatches(engine: StoreEngine) async throws {
        guard let place = try await TestStorePlace.make(engine) else { return }
        do {
            let store = try await place.open()
            var correlator = Correlator()
            try await store.commit(StoreChange(correlator.submitStarted(makePlan("c1", payload: 5), at: t0)))
            await store.close()
            // The process dies here, before the provider answered.
        }
        let store = try await place.open()
        defer { store.beginClosing() }
        var correlator = Correlator()
        let summary = try await store.recover(into: &correlator, now: t0.addingTimeInterval(5))
        #expect(summary == { var s = RecoverySummary(); s.restored = 1; s.unknownSubmits = 1; return s }())
        #expect(try store.canary(id: "c1")?.submit?.outcome == .unknown)
        #expect(try store.canary(id: "c1")?.state == .submitted)

        let plan = makePlan("c1", payload: 5)
        let arrival = correlator.ingest(ArrivalReport(receiver: "rx1", from: "LASTMILE", body: plan.body,
                                                      ingestedAt: t0.addingTimeInterval(20)))
        try await store.commit(StoreChange(arrival))
        #expect(try store.canary(id: "c1")?.verdict == .delivered)
    }

    @Test(arguments: StoreEngine.allCases) func canariesPastTheirDeadlineSettleOnRecovery(engine: StoreEngine) async throws {
        guard let place = try await TestStorePlace.make(engine) else { return }
        let store = try await place.open()
        var correlator = Correlator()
        for index in 0..<3 {
            let plan = makePlan("c\(index)", payload: UInt64(100 + index), deadline: 600)
            try await store.commit(StoreChange(correlator.submitStarted(plan, at: t0)))
            try await store.commit(StoreChange(correlator.submitAnswered(
                id: plan.id, answer: SubmitAnswer(outcome: .accepted, providerMessageID: "m\(index)"), at: t0)))
        }
        let fresh = makePlan("fresh", payload: 999, deadline: 600)
        try await store.commit(StoreChange(correlator.submitStarted(fresh, at: t0.addingTimeInterval(3_000))))
        await store.close()

        let reopened = try await place.open()
        defer { reopened.beginClosing() }
        var restarted = Correlator()
        let summary = try await reopened.recover(into: &restarted, now: t0.addingTimeInterval(3_100))
        #expect(summary.restored == 4)
        #expect(summary.settled == 3)
        #expect(summary.unknownSubmits == 1)
        for index in 0..<3 {
            let canary = try #require(try reopened.canary(id: "c\(index)"))
            #expect(canary.verdict == .lost)
            #expect(canary.settledAt == t0.addingTimeInterval(600))
        }
        #expect(try reopened.canary(id: "fresh")?.verdict == nil)
    }

    @Test(arguments: StoreEngine.allCases) func oldSettledCanariesAreNotLoadedAgain(engine: StoreEngine) async throws {
        guard let place = try await TestStorePlace.make(engine) else { return }
        let store = try await place.open()
        defer { store.beginClosing() }
        var correlator = Correlator()
        try await store.commit(StoreChange(correlator.submitStarted(makePlan("old", payload: 1, deadline: 60), at: t0)))
        try await store.commit(StoreChange(correlator.advance(to: t0.addingTimeInterval(60))))
        var restarted = Correlator()
        let summary = try await store.recover(into: &restarted, now: t0.addingTimeInterval(2 * 86_400))
        #expect(summary.restored == 0)
    }
}

/// A server connection that follows a script: which writes fail, and whether COMMIT does.
final class ScriptedServerConnection: DatabaseConnection, Sendable {
    struct Script {
        var failingWrites: Set<String> = []
        var commitFails = false
        /// A COMMIT of more writes than this finds the disk full.
        var fullCommitAbove: Int?
        /// How many BEGINs fail before they work again (a server that restarted).
        var beginFailures = 0
        var ran: [String] = []
        var committed: [String] = []
        var pending: [String] = []
    }

    let script: Mutex<Script>

    let dialect: SQLDialect

    init(failingWrites: Set<String> = [], commitFails: Bool = false, fullCommitAbove: Int? = nil, beginFailures: Int = 0,
         dialect: SQLDialect = .postgres) {
        script = Mutex(Script(failingWrites: failingWrites, commitFails: commitFails, fullCommitAbove: fullCommitAbove,
                              beginFailures: beginFailures))
        self.dialect = dialect
    }

    func beginWrite() throws {
        try script.withLock { script in
            script.pending = []
            if script.beginFailures > 0 {
                script.beginFailures -= 1
                throw StoreConflict(message: "server restarted")
            }
        }
    }
    func reconnectIfBroken() {}
    func execute(_ sql: String) throws {
        try script.withLock { script in
            if sql == "COMMIT" {
                if script.commitFails { throw StoreConflict(message: "connection lost during COMMIT") }
                if let most = script.fullCommitAbove, script.pending.count > most {
                    script.pending = []
                    throw SQLiteError(code: SQLITE_FULL, message: "database or disk is full")
                }
                script.committed += script.pending
            }
            script.pending = []
        }
    }
    func query(_ sql: String, _ values: [StoreValue]) throws -> any RowCursor { throw StoreConflict(message: "no queries here") }
    func run(_ sql: String, _ values: [StoreValue]) throws -> Int {
        try script.withLock { script in
            script.ran.append(sql)
            if script.failingWrites.contains(sql) { throw StoreConflict(message: "\(sql) failed") }
            script.pending.append(sql)
            return 1
        }
    }
}

@Suite struct ServerGroupCommitTests {
    func writeAll(_ names: [String], to writer: GroupCommitWriter) async -> [String: Bool] {
        await withTaskGroup(of: (String, Bool).self) { group in
            for name in names {
                group.addTask {
                    do {
                        try await writer.write { connection in _ = try connection.run(name, []) }
                        return (name, true)
                    } catch {
                        return (name, false)
                    }
                }
            }
            return await group.reduce(into: [String: Bool]()) { $0[$1.0] = $1.1 }
        }
    }

    @Test func aBatchWhoseCommitFailedIsNotRunAgain() async throws {
        let connection = ScriptedServerConnection(commitFails: true)
        let writer = GroupCommitWriter(connection: connection, maximumBatch: 64)
        let names = (0..<20).map { "write \($0)" }
        let answers = await writeAll(names, to: writer)
        await writer.close()
        // Each write ran once: a COMMIT whose outcome is unknown may have stored it already.
        #expect(connection.script.withLock { $0.ran }.sorted() == names.sorted())
        #expect(answers.values.allSatisfy { !$0 })
    }

    @Test func aBatchThatCouldNotBeginIsRunAgainOnce() async throws {
        let connection = ScriptedServerConnection(beginFailures: 1)
        let writer = GroupCommitWriter(connection: connection, maximumBatch: 64)
        let names = (0..<20).map { "write \($0)" }
        let answers = await writeAll(names, to: writer)
        await writer.close()
        // Nothing of it ran, so nothing can be stored twice: every write commits, once.
        #expect(answers.values.allSatisfy { $0 })
        #expect(connection.script.withLock { $0.committed }.sorted() == names.sorted())
    }

    @Test func aFileWhoseBatchCouldNotBeginIsNotTriedAgain() async throws {
        // On a file, BEGIN fails only once another writer's lock was waited out: every write
        // would wait it out again.
        let connection = ScriptedServerConnection(beginFailures: 1, dialect: .sqlite)
        let writer = GroupCommitWriter(connection: connection, maximumBatch: 64)
        let answers = await writeAll(["write 0"], to: writer)
        await writer.close()
        #expect(answers["write 0"] == false)
        #expect(connection.script.withLock { $0.ran }.isEmpty)
        #expect(writer.transactionCount == 1)
    }

    /// Writes `names` as one batch.
    func writeInOneBatch(_ names: [String], to writer: GroupCommitWriter) async throws -> [String: Bool] {
        try await writer.holding(until: names.count) { await writeAll(names, to: writer) }
    }

    @Test(arguments: [SQLDialect.sqlite, .postgres])
    func aFailingWriteCostsItsBatchOneMoreTransactionNotOneAWrite(dialect: SQLDialect) async throws {
        let connection = ScriptedServerConnection(failingWrites: ["write 17", "write 40"], dialect: dialect)
        let writer = GroupCommitWriter(connection: connection, maximumBatch: 64)
        let names = (0..<64).map { "write \($0)" }
        let answers = try await writeInOneBatch(names, to: writer)
        await writer.close()
        #expect(answers.filter { !$0.value }.keys.sorted() == ["write 17", "write 40"])
        #expect(connection.script.withLock { $0.committed }.sorted() == names.filter { $0 != "write 17" && $0 != "write 40" }.sorted())
        // The first write's, then the batch's, and once more after each failing write.
        #expect(writer.transactionCount == 1 + 1 + 2)
    }

    @Test func aFileWithNoRoomForABatchAtItsCommitTriesEachWriteAlone() async throws {
        // A full disk shows at COMMIT, when SQLite writes the transaction to its log: nothing of
        // it is stored, and the writes that fit alone are.
        let connection = ScriptedServerConnection(fullCommitAbove: 1, dialect: .sqlite)
        let writer = GroupCommitWriter(connection: connection, maximumBatch: 64)
        let names = (0..<8).map { "write \($0)" }
        let answers = try await writeInOneBatch(names, to: writer)
        await writer.close()
        #expect(answers.values.allSatisfy { $0 })
        #expect(connection.script.withLock { $0.committed }.sorted() == names.sorted())
        #expect(writer.transactionCount == 1 + 1 + 8)
    }

    @Test func aWriteThatFailsFailsAloneAndTheOthersCommit() async throws {
        let connection = ScriptedServerConnection(failingWrites: ["write 7"])
        let writer = GroupCommitWriter(connection: connection, maximumBatch: 64)
        let names = (0..<20).map { "write \($0)" }
        let answers = await writeAll(names, to: writer)
        await writer.close()
        #expect(answers["write 7"] == false)
        #expect(answers.filter { $0.value }.count == 19)
        #expect(connection.script.withLock { $0.committed }.sorted() == names.filter { $0 != "write 7" }.sorted())
    }
}

@Suite struct GroupCommitTests {
    func receipt(_ store: CanaryStore, id: Int64? = nil) throws -> StoredReceipt {
        let reference = try id ?? store.reserveReportID()
        return StoredReceipt(
            report: ReceiptReport(reference: reference, route: "r", providerMessageID: "m\(reference)", status: .pending,
                                  rawStatus: "ENROUTE", ingestedAt: t0),
            match: .unmatched(.unknownMessageID, canaryID: nil), rawPayload: Data())
    }

    @Test(arguments: StoreEngine.allCases) func concurrentWritersShareTransactions(engine: StoreEngine) async throws {
        guard let place = try await TestStorePlace.make(engine) else { return }
        let store = try await place.open()
        defer { store.beginClosing() }
        let writes = 400
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<writes {
                group.addTask { try await store.commit(StoreChange(receipts: [self.receipt(store)])) }
            }
            try await group.waitForAll()
        }
        #expect(try store.rowCounts().receipts == writes)
        #expect(store.transactionCount < writes)
    }

    @Test(arguments: StoreEngine.allCases) func withoutGroupingEachWriteIsItsOwnTransaction(engine: StoreEngine) async throws {
        guard let place = try await TestStorePlace.make(engine) else { return }
        let store = try await place.open(StoreConfiguration(maximumBatch: 1))
        defer { store.beginClosing() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<50 {
                group.addTask { try await store.commit(StoreChange(receipts: [self.receipt(store)])) }
            }
            try await group.waitForAll()
        }
        #expect(store.transactionCount == 50)
    }

    @Test(arguments: StoreEngine.allCases) func aFailingWriteDoesNotUndoTheOthersOfItsBatch(engine: StoreEngine) async throws {
        guard let place = try await TestStorePlace.make(engine) else { return }
        let store = try await place.open()
        defer { store.beginClosing() }
        let taken = try receipt(store)
        try await store.commit(StoreChange(receipts: [taken]))
        let results = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<100 {
                group.addTask {
                    // Every tenth write reuses an id already stored and must fail alone.
                    do {
                        try await store.commit(StoreChange(receipts: [index % 10 == 0 ? taken : try self.receipt(store)]))
                        return true
                    } catch {
                        return false
                    }
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.filter { !$0 }.count == 10)
        #expect(try store.rowCounts().receipts == 91)
    }

    @Test func aWriteThatFillsTheDiskFailsAloneAndTheOthersOfItsBatchCommit() async throws {
        let directory = try TemporaryDirectory()
        // Room for every small write, never for the big one.
        let store = try await directory.store(named: "s.db", roomForPages: 200)
        defer { store.beginClosing() }
        var answers: [(id: Int64, committed: Bool)] = []
        // Each round's big write shares a batch with some of the others, at a place that varies.
        for _ in 0..<12 {
            let round = await withTaskGroup(of: (Int64, Bool).self) { group in
                for index in 0..<60 {
                    group.addTask {
                        guard var item = try? self.receipt(store) else { return (0, false) }
                        if index == 30 { item.rawPayload = Data(repeating: 0x41, count: 4 * 1024 * 1024) }
                        do {
                            try await store.commit(StoreChange(receipts: [item]))
                            return (item.id, true)
                        } catch {
                            return (item.id, false)
                        }
                    }
                }
                return await group.reduce(into: [(Int64, Bool)]()) { $0.append($1) }
            }
            answers += round.map { (id: $0.0, committed: $0.1) }
        }
        // What each writer was told is what the file holds: no write reported failed was kept,
        // whatever the full disk did to the transaction it shared.
        let stored = Set(try store.read { try $0.rows("SELECT id FROM receipts").compactMap { $0[0].integer } })
        // Only the big writes failed: those that shared their batch were run again, each alone.
        #expect(answers.filter { !$0.committed }.count == 12)
        for answer in answers { #expect(stored.contains(answer.id) == answer.committed, "receipt \(answer.id)") }
        #expect(try store.read { try $0.scalar("PRAGMA integrity_check")?.text } == "ok")
        // And the store goes on taking writes that fit.
        let after = try receipt(store)
        try await store.commit(StoreChange(receipts: [after]))
        #expect(try store.read { try $0.scalar("SELECT count(*) FROM receipts WHERE id = ?", [.integer(after.id)])?.integer } == 1)
    }

    @Test func aFloodTrimmedInAFileAtItsCapMakesRoomForTheReportThatTrimsIt() async throws {
        let directory = try TemporaryDirectory()
        let store = try await directory.store(named: "s.db", roomForPages: 40)
        defer { store.beginClosing() }
        // Unmatched junk with bodies of a few kilobytes until the file is full.
        var stored = 0
        while true {
            var item = try receipt(store)
            item.rawPayload = Data(repeating: 0x6A, count: 3_000)
            do { try await store.commit(StoreChange(receipts: [item])) } catch let error as SQLiteError {
                #expect(error.isFull)
                break
            }
            stored += 1
        }
        #expect(stored > 10)
        // The next one asks for the flood to be trimmed to ten: the trim must free pages before it needs them.
        var next = try receipt(store)
        next.rawPayload = Data(repeating: 0x6A, count: 3_000)
        var change = StoreChange(receipts: [next])
        change.trimUnmatchedTo = 10
        try await store.commit(change)
        #expect(try store.rowCounts().receipts == 10)
        let nextID = next.id
        #expect(try store.read { try $0.scalar("SELECT count(*) FROM receipts WHERE id = ?", [.integer(nextID)])?.integer } == 1)
    }

    @Test func aFullDiskFailsTheWriteAndRecovers() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("s.db")
        let store = try await directory.store(named: "s.db", roomForPages: 2)
        let big = Data(repeating: 0x41, count: 64 * 1024)
        var failure: SQLiteError?
        for _ in 0..<4 {
            var item = try receipt(store)
            item.rawPayload = big
            do { try await store.commit(StoreChange(receipts: [item])) } catch let error as SQLiteError {
                failure = error
                break
            }
        }
        #expect(failure?.isFull == true)
        let countAfterFailure = try store.rowCounts().receipts
        await store.close()
        // Space returns: the same file takes writes again, and nothing was corrupted.
        let roomy = try CanaryStore(path: path)
        defer { roomy.beginClosing() }
        try await roomy.commit(StoreChange(receipts: [receipt(roomy)]))
        #expect(try roomy.rowCounts().receipts == countAfterFailure + 1)
        #expect(try roomy.read { try $0.scalar("PRAGMA integrity_check")?.text } == "ok")
    }
}

@Suite struct RetentionTests {
    @Test(arguments: StoreEngine.allCases) func pruningRemovesOnlyOldRowsInBoundedBatches(engine: StoreEngine) async throws {
        guard let place = try await TestStorePlace.make(engine) else { return }
        let store = try await place.open()
        defer { store.beginClosing() }
        var correlator = Correlator()
        for index in 0..<25 {
            let plan = makePlan("old\(index)", payload: UInt64(index), deadline: 60)
            try await store.commit(StoreChange(correlator.submitStarted(plan, at: t0)))
        }
        try await store.commit(StoreChange(correlator.advance(to: t0.addingTimeInterval(60))))
        let open = makePlan("open", payload: 5_000, deadline: 60)
        try await store.commit(StoreChange(correlator.submitStarted(open, at: t0)))
        let recent = makePlan("recent", payload: 6_000, deadline: 60)
        try await store.commit(StoreChange(correlator.submitStarted(recent, at: t0.addingTimeInterval(10_000))))
        var receipts: [StoredReceipt] = []
        for offset in [0.0, 10_000.0] {
            for _ in 0..<12 {
                let id = try store.reserveReportID()
                receipts.append(StoredReceipt(report: ReceiptReport(reference: id, route: "r1", providerMessageID: "x",
                                                                    status: .pending, rawStatus: "p",
                                                                    ingestedAt: t0.addingTimeInterval(offset)),
                                              match: .unmatched(.unknownMessageID, canaryID: nil), rawPayload: Data()))
            }
        }
        try await store.commit(StoreChange(receipts: receipts))

        let summary = try await store.prune(before: t0.addingTimeInterval(5_000), batchSize: 10)
        #expect(summary.canaries == 25)
        #expect(summary.receipts == 12)
        // receipts 2, arrivals 1, unmatched receipts and arrivals 1 each, parts 1, canaries 3, payloads 1.
        #expect(summary.batches == 2 + 1 + 1 + 1 + 1 + 3 + 1)
        let counts = try store.rowCounts()
        #expect(counts.canaries == 2)   // the unsettled one and the recent one
        #expect(counts.receipts == 12)
        #expect(try store.canary(id: "open") != nil)
    }
}

@Suite struct SummaryQueryTests {
    @Test(arguments: StoreEngine.allCases) func sqlSummariesEqualSummariesOfTheRows(engine: StoreEngine) async throws {
        guard let place = try await TestStorePlace.make(engine) else { return }
        let store = try await place.open()
        defer { store.beginClosing() }
        var correlator = Correlator()
        var generator = SystemRandomNumberGenerator()
        for index in 0..<300 {
            let plan = makePlan("c\(index)", payload: UInt64(50_000 + index), route: index % 3 == 0 ? "a" : "b", deadline: 600)
            let start = t0.addingTimeInterval(Double(index))
            try await store.commit(StoreChange(correlator.submitStarted(plan, at: start)))
            let outcome: SubmitOutcome = [.accepted, .accepted, .accepted, .rejected, .error].randomElement(using: &generator)!
            try await store.commit(StoreChange(correlator.submitAnswered(
                id: plan.id, answer: SubmitAnswer(outcome: outcome, providerMessageID: "m\(index)"), at: start)))
            if Bool.random(using: &generator) {
                try await store.commit(StoreChange(correlator.ingest(ReceiptReport(
                    route: plan.route, providerMessageID: "m\(index)", status: [.delivered, .failed, .pending].randomElement(using: &generator)!,
                    rawStatus: "x", ingestedAt: start.addingTimeInterval(1)))))
            }
            if Int.random(in: 0..<4, using: &generator) > 0 {
                try await store.commit(StoreChange(correlator.ingest(ArrivalReport(
                    receiver: "rx1", from: Bool.random(using: &generator) ? "LASTMILE" : "OTHER", body: plan.body,
                    ingestedAt: start.addingTimeInterval(Double.random(in: 1...120, using: &generator))))))
            }
        }
        try await store.commit(StoreChange(correlator.advance(to: t0.addingTimeInterval(850))))
        let from = t0, to = t0.addingTimeInterval(10_000)
        let fromRows = CanarySummaries.summarize(try store.canaries(startedFrom: from, to: to))
        let fromSQL = try store.summaries(startedFrom: from, to: to)
        #expect(fromSQL == fromRows)
        #expect(fromSQL.map(\.sent).reduce(0, +) == 300)
        #expect(try store.summaries(startedFrom: from, to: to, route: "a").map(\.route) == ["a"])
    }
}

@Suite struct SettledCanaryQueryTests {
    @Test func settledCanariesAreBoundedByTheirEndAndTheirRoute() async throws {
        let directory = try TemporaryDirectory()
        let store = try CanaryStore(path: directory.path("settled.db"))
        defer { store.beginClosing() }
        var correlator = Correlator()
        // Deadlines of 100, 200 and 300 s after t0, on two routes: each settles lost at its own.
        for (index, route) in ["r1", "r2", "r1"].enumerated() {
            let plan = makePlan("c\(index)", payload: UInt64(40 + index), route: route, deadline: Double(index + 1) * 100)
            try await store.commit(StoreChange(correlator.submitStarted(plan, at: t0)))
            try await store.commit(StoreChange(correlator.submitAnswered(id: plan.id, answer: SubmitAnswer(outcome: .accepted), at: t0)))
        }
        try await store.commit(StoreChange(correlator.advance(to: t0.addingTimeInterval(400))))
        #expect(try store.settledCanaries(since: t0).map(\.canaryID) == ["c0", "c1", "c2"])
        #expect(try store.settledCanaries(since: t0, before: t0.addingTimeInterval(200)).map(\.canaryID) == ["c0"])
        #expect(try store.settledCanaries(since: t0, route: "r1").map(\.canaryID) == ["c0", "c2"])
        #expect(try store.settledCanaries(since: t0.addingTimeInterval(150), before: t0.addingTimeInterval(350), route: "r1")
            .map(\.canaryID) == ["c2"])
    }
}

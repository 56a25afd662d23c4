import Foundation
import LastmileBase
import LastmileCore
import Synchronization

/// Lastmile's durable record: canaries, receipts, arrivals and unmatched reports, in one SQLite
/// file (WAL mode) or in a PostgreSQL database that several instances share.
///
/// Every write goes through one group-commit writer: `commit` returns only once
/// the change is on disk, so a caller may acknowledge a report as soon as it
/// returns. Reads use their own connection and never wait for the writer.
public final class CanaryStore: Sendable {
    /// Where the store is.
    public let location: StoreLocation
    let writer: GroupCommitWriter
    /// The inbox's own writer, on a shared store: reports any instance takes in, never fenced.
    let intake: GroupCommitWriter?
    /// Who may write the leader's changes, on a shared store; nil refuses them all.
    private let fence: FenceSlot
    private let reader: Mutex<any DatabaseConnection>
    /// Where `reading` runs its queries: a thread of its own, one query at a time, as the
    /// reading connection takes them anyway.
    private let readingQueue = BlockingQueue(label: "lastmile-store-reader")
    private let reportIdentifiers: any ReportIDSource
    /// What the inbox holds, counted now and then by the intake writer, and its limit.
    let inboxFill: InboxFill

    /// The database file, or the server's address (without its password).
    public var path: String { location.description }

    /// Opens the SQLite store at `path`, creating and migrating it as needed.
    public convenience init(path: String, configuration: StoreConfiguration = StoreConfiguration()) throws {
        try self.init(location: .file(path), configuration: configuration)
    }

    /// Opens the store at `location`, creating and migrating it as needed.
    public init(location: StoreLocation, configuration: StoreConfiguration = StoreConfiguration()) throws {
        self.location = location
        let inboxFill = InboxFill(limit: configuration.maximumInboxBytes)
        self.inboxFill = inboxFill
        let writeConnection: any DatabaseConnection
        let readConnection: any DatabaseConnection
        let fence = FenceSlot()
        self.fence = fence
        var admission: (@Sendable (any DatabaseConnection) throws -> Void)?
        switch location {
        case .file(let path):
            let sqlite = try SQLiteConnection(path: path)
            var uncapped = configuration
            uncapped.maximumPageCount = nil
            try sqlite.configure(uncapped)
            try sqlite.migrate()
            try sqlite.limitSize(configuration)
            let highest = try sqlite.scalar(
                "SELECT max(coalesce((SELECT max(id) FROM receipts), 0), coalesce((SELECT max(id) FROM arrivals), 0))")
            reportIdentifiers = CountedReportIDs(after: highest?.integer ?? 0)
            let sqliteReader = try SQLiteConnection(path: path)
            try sqliteReader.configure(configuration)
            writeConnection = sqlite
            readConnection = sqliteReader
            intake = nil
        case .postgres(let url):
            let postgres = try PostgresDatabase(url: url)
            try postgres.connection.waiting(up: PostgresDatabase.migrationAnswerTimeout) { try postgres.migrate() }
            writeConnection = postgres
            readConnection = try PostgresDatabase(url: url)
            reportIdentifiers = PostgresIDBlocks(url: url)
            intake = GroupCommitWriter(connection: try PostgresDatabase(url: url), maximumBatch: configuration.maximumBatch,
                                       name: "lastmile-intake-writer", admission: { connection in try inboxFill.recountIfDue(on: connection) })
            admission = { connection in try Self.admit(fence.current, on: connection) }
        }
        reader = Mutex(readConnection)
        writer = GroupCommitWriter(connection: writeConnection, maximumBatch: configuration.maximumBatch, admission: admission)
    }

    /// Caps the database at `bytes` (nil: SQLite's own limit). Takes effect for the next writes.
    /// A PostgreSQL server keeps its own limits: there it does nothing.
    public func setMaximumSize(_ bytes: Int?) async throws {
        guard case .file = location else { return }
        try await writer.write { connection in
            let pageSize = Int(try connection.scalar("PRAGMA page_size")?.integer ?? 4096)
            let pages = bytes.map { max(1, $0 / pageSize) } ?? 1_073_741_823
            _ = try connection.scalar("PRAGMA max_page_count = \(pages)")
        }
    }

    /// Waits for queued writes, then stops writing.
    public func close() async {
        await writer.close()
        await intake?.close()
    }

    /// Takes no more writes and lets the writer finish the queued ones without waiting for it;
    /// for places that cannot wait, such as a `defer`.
    public func beginClosing() {
        writer.beginClosing()
        intake?.beginClosing()
    }

    /// On a shared store, lets the holder of the lease in `fence`'s term write the leader's
    /// changes (canaries, reports joined, alerts, pruning); nil refuses them all.
    public func setFence(_ fence: LeaseFence?) {
        self.fence.current = fence
    }

    /// Checks, inside the transaction, that `fence` still holds the lease, and keeps the lease row
    /// from changing hands until the transaction ends.
    private static func admit(_ fence: LeaseFence?, on connection: any DatabaseConnection) throws {
        guard let fence else { throw NotLeading(holder: "this instance", term: nil) }
        guard let postgres = connection as? PostgresDatabase else { return }
        guard try fence.table.fence(holder: fence.holder, term: fence.term, on: postgres.connection) else {
            throw NotLeading(holder: fence.holder, term: fence.term)
        }
    }

    /// Transactions the writer has run so far (a measure of how well writes are grouped).
    public var transactionCount: Int { writer.transactionCount }

    /// Writes waiting for the writer's next transaction.
    var queuedWrites: Int { writer.queuedCount }

    /// A fresh id for an inbound report, unique across receipts and arrivals. On PostgreSQL it
    /// may wait on the server: for tools and tests; the daemon uses `reserveReportIDs`.
    public func reserveReportID() throws -> Int64 {
        try reportIdentifiers.next()
    }

    /// `count` fresh ids for inbound reports, waiting for the server (when a block of ids runs
    /// out) without holding the caller's thread.
    public func reserveReportIDs(_ count: Int) async throws -> [Int64] {
        try await reportIdentifiers.next(count)
    }

    /// `count` fresh ids if they are in hand (always, on SQLite), without waiting or suspending;
    /// nil, with none taken, when the server must be asked.
    public func reportIDsInHand(_ count: Int) -> [Int64]? {
        reportIdentifiers.inHand(count)
    }

    // MARK: Writing

    /// Writes `change` and returns once it is committed.
    ///
    /// The write is queued before the caller's first suspension, on the caller's actor: changes
    /// an actor commits one after another reach the store in that order (each carries whole
    /// canary rows, so a later state must never be overwritten by an earlier one).
    public func commit(_ change: StoreChange, isolation: isolated (any Actor)? = #isolation) async throws {
        guard !change.isEmpty else { return }
        let term = termOfWrite()
        try await writer.write(isolation: isolation) { connection in
            try term?.check()
            try Self.apply(change, on: connection)
        }
    }

    /// Commits `changes` in one write, applied in order: all of them or, on an error, none.
    public func commit(_ changes: [StoreChange], isolation: isolated (any Actor)? = #isolation) async throws {
        let changes = changes.filter { !$0.isEmpty }
        guard !changes.isEmpty else { return }
        let term = termOfWrite()
        try await writer.write(isolation: isolation) { connection in
            try term?.check()
            for change in changes { try Self.apply(change, on: connection) }
        }
    }

    /// On a shared store, the term a write is queued in. What it carries was computed from that
    /// term's state, so it must not land in another one, even one this instance holds too: a
    /// write queued before a takeover and run after it would overwrite what another leader wrote meanwhile.
    func termOfWrite() -> QueuedTerm? {
        location.isShared ? QueuedTerm(queued: fence.current, slot: fence) : nil
    }

    /// Records a canary as `submitting`; call before the provider is.
    public func recordSubmitting(_ canary: Canary) async throws {
        try await commit(StoreChange(canaries: [canary]))
    }

    static func apply(_ change: StoreChange, on connection: any DatabaseConnection) throws {
        // What frees room goes first: in a file at its size cap, the rows a flood of junk left
        // are removed before the new ones need their pages (removed after, they would fail together).
        // Claims come before the trim, which would otherwise take a receipt about to be claimed.
        for claim in change.claims {
            try connection.run("UPDATE receipts SET canary_id = ?, unmatched_reason = NULL WHERE id = ?",
                               [.text(claim.canaryID), .integer(claim.receiptID)])
        }
        if let keep = change.trimUnmatchedTo {
            try trimUnmatched(keeping: keep, incoming: (change.receipts.filter { $0.unmatchedReason != nil }.count,
                                                        change.arrivals.filter { $0.unmatchedReason != nil }.count), on: connection)
        }
        for message in change.assembled {
            try connection.run("DELETE FROM message_parts WHERE receiver = ? AND sender = ? AND reference = ?",
                               [.text(message.receiver), .text(message.sender), .text(message.reference)])
        }
        for canary in change.canaries {
            try connection.run(CanaryRow.upsert, CanaryRow.values(of: canary))
        }
        // A body several reports came in is stored once, in `payloads`; a whole one that a single
        // report came in goes in that report's row, one write instead of two (only `payloads`
        // marks a body cut short).
        let reports = change.receipts.count + change.arrivals.count + change.parts.count
        let inline = reports == 1 && change.payload?.truncated == false ? change.payload?.body : nil
        var payloadID: StoreValue = .null
        if let payload = change.payload, inline == nil {
            payloadID = try connection.scalar("INSERT INTO payloads (received_at, body, truncated) VALUES (?, ?, ?) RETURNING id",
                                              [StoreValue(payload.receivedAt), .blob(payload.body), .integer(payload.truncated ? 1 : 0)]) ?? .null
        }
        func own(_ raw: Data) -> StoreValue { .blob(inline ?? (change.payload == nil ? raw : Data())) }
        for receipt in change.receipts {
            let report = receipt.report
            try connection.run("""
                INSERT INTO receipts (id, canary_id, route, provider_message_id, token, status, raw_status, error_code,
                                      reported_at, ingested_at, duplicate, unmatched_reason, raw_payload, payload_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [
                    .integer(receipt.id), StoreValue(receipt.canaryID), .text(report.route),
                    StoreValue(report.providerMessageID), StoreValue(report.token?.description),
                    .text(report.status.rawValue), .text(report.rawStatus), StoreValue(report.errorCode),
                    StoreValue(report.reportedAt), StoreValue(report.ingestedAt), .integer(receipt.duplicate ? 1 : 0),
                    StoreValue(receipt.unmatchedReason?.rawValue), own(receipt.rawPayload), payloadID,
                ])
        }
        for arrival in change.arrivals {
            let report = arrival.report
            // A spool file queued twice (read again after a crash, or while the leader joined its
            // first copy) is one arrival, stored once: without this, one such entry would fail
            // every batch it is in.
            try connection.run("""
                INSERT INTO arrivals (id, canary_id, receiver, sender, body, reported_at, ingested_at, duplicate,
                                      unmatched_reason, raw_payload, source_key, payload_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (source_key) WHERE source_key IS NOT NULL DO NOTHING
                """, [
                    .integer(arrival.id), StoreValue(arrival.canaryID), .text(report.receiver), .text(report.from),
                    .text(report.body), StoreValue(report.reportedAt), StoreValue(report.ingestedAt),
                    .integer(arrival.duplicate ? 1 : 0), StoreValue(arrival.unmatchedReason?.rawValue),
                    own(arrival.rawPayload), StoreValue(arrival.sourceKey), payloadID,
                ])
        }
        for part in change.parts {
            try connection.run("""
                INSERT INTO message_parts (receiver, sender, reference, total, part, body, reported_at, ingested_at,
                                           raw_payload, payload_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """, [.text(part.receiver), .text(part.sender), .text(part.reference), StoreValue(part.total), StoreValue(part.part),
                      .text(part.body), StoreValue(part.reportedAt), StoreValue(part.ingestedAt), own(part.rawPayload), payloadID])
        }
        for id in change.consumedInbox {
            guard try connection.run("DELETE FROM inbox WHERE id = ?", [.integer(id)]) == 1 else {
                throw StoreConflict(message: "inbox entry \(id) was already consumed")
            }
        }
        for id in change.heldInbox {
            try connection.run("UPDATE inbox SET held = true WHERE id = ?", [.integer(id)])
        }
        if change.releasesHeldInbox {
            try connection.run("UPDATE inbox SET held = false WHERE held", [])
        }
    }

    /// Removes the oldest unmatched reports of each kind beyond `keep` (counting the `incoming`
    /// receipts and arrivals about to be stored), so junk cannot crowd out real data.
    static func trimUnmatched(keeping keep: Int, incoming: (receipts: Int, arrivals: Int) = (0, 0),
                              on connection: any DatabaseConnection) throws {
        for (table, coming) in [("receipts", incoming.receipts), ("arrivals", incoming.arrivals)] {
            try connection.run("""
                DELETE FROM \(table) WHERE id IN (SELECT id FROM \(table) WHERE unmatched_reason IS NOT NULL
                                                  ORDER BY ingested_at DESC LIMIT \(connection.dialect.noLimit) OFFSET ?)
                """, [.integer(Int64(max(0, keep - coming)))])
        }
    }

    // MARK: Reading

    /// Runs `body` on the store's own reading thread and waits for it without holding the
    /// caller's thread. A query waits on the database (a round trip to PostgreSQL, bounded only
    /// by its statement timeout; a long scan of SQLite): called from an event loop or the
    /// concurrency pool, it would stall every connection of the loop or a share of the pool.
    public func reading<T: Sendable>(_ body: @escaping @Sendable (CanaryStore) throws -> T) async throws -> T {
        try await readingQueue.run { try body(self) }
    }

    func read<T: Sendable>(_ body: @Sendable (any DatabaseConnection) throws -> T) throws -> T {
        try reader.withLock { connection in
            // A server that restarted left the connection broken: connect again first.
            connection.reconnectIfBroken()
            return try body(connection)
        }
    }

    private func canaries(where condition: String, _ values: [StoreValue]) throws -> [Canary] {
        try read { connection in
            let statement = try connection.query("SELECT \(CanaryRow.columns) FROM canaries WHERE \(condition)", values)
            return try statement.rows().map(CanaryRow.canary(from:))
        }
    }

    /// The canary with this id.
    public func canary(id: String) throws -> Canary? {
        try canaries(where: "id = ?", [.text(id)]).first
    }

    /// The canary carrying this token.
    public func canary(token: Token) throws -> Canary? {
        try canaries(where: "token = ?", [.text(token.description)]).first
    }

    /// The canary a provider knows by this message id.
    public func canary(route: String, providerMessageID: String) throws -> Canary? {
        try canaries(where: "route = ? AND provider_message_id = ?", [.text(route), .text(providerMessageID)]).first
    }

    /// Canaries a restarted process must take back: every unsettled one, and
    /// settled ones recent enough to recognise their late or repeated reports.
    public func canariesToRecover(settledSince: Date?) throws -> [Canary] {
        guard let settledSince else { return try canaries(where: "state != 'settled'", []) }
        return try canaries(where: "state != 'settled' OR settled_at >= ?", [StoreValue(settledSince)])
    }

    /// Receipts stored for one canary, in ingest order: the first `limit` when given, each
    /// with the payload it came in unless `payloads` is false.
    public func receipts(canaryID: String, limit: Int? = nil, payloads: Bool = true) throws -> [StoredReceipt] {
        try read { connection in
            let statement = try connection.query("""
                SELECT r.id, r.route, r.provider_message_id, r.token, r.status, r.raw_status, r.error_code, r.reported_at,
                       r.ingested_at, r.duplicate, r.unmatched_reason, \(payloads ? "coalesce(p.body, r.raw_payload)" : "NULL"), r.canary_id
                  FROM receipts r \(payloads ? "LEFT JOIN payloads p ON p.id = r.payload_id" : "")
                 WHERE r.canary_id = ? ORDER BY r.ingested_at, r.id\(limit.map { " LIMIT \(max(0, $0))" } ?? "")
                """, [.text(canaryID)])
            return try statement.rows().map(Self.receipt(from:))
        }
    }

    /// Every receipt and arrival id stored, in ascending order.
    public func reportIDs() throws -> [Int64] {
        try read { connection in
            let statement = try connection.query("SELECT id FROM receipts UNION ALL SELECT id FROM arrivals ORDER BY 1", [])
            return try statement.rows().compactMap { $0[0].integer }
        }
    }

    /// Unmatched reports by reason, for both kinds.
    public func unmatchedCounts() throws -> [UnmatchedReason: Int] {
        try read { connection in
            let statement = try connection.query("SELECT reason, count(*) FROM unmatched_reports GROUP BY reason", [])
            var counts: [UnmatchedReason: Int] = [:]
            for row in try statement.rows() {
                if let reason = row[0].text.flatMap(UnmatchedReason.init(rawValue:)) {
                    counts[reason] = Int(row[1].integer ?? 0)
                }
            }
            return counts
        }
    }

    /// Reports ingested in `[from, to)` that joined no canary, per kind, source and reason. With a
    /// route, only that route's receipts: an unmatched arrival names no route.
    public func unmatchedReports(ingestedFrom from: Date, to: Date, route: String? = nil) throws -> [UnmatchedReportCount] {
        var query = "SELECT kind, source, reason, count(*) FROM unmatched_reports WHERE ingested_at >= ? AND ingested_at < ?"
        var values: [StoreValue] = [StoreValue(from), StoreValue(to)]
        if let route {
            query += " AND kind = 'receipt' AND source = ?"
            values.append(.text(route))
        }
        let bound = values
        let grouped = query + " GROUP BY kind, source, reason ORDER BY kind DESC, source, reason"
        return try read { connection in
            let statement = try connection.query(grouped, bound)
            return try statement.rows().compactMap { row in
                guard let kind = row[0].text.flatMap(UnmatchedReportCount.Kind.init(rawValue:)),
                      let reason = row[2].text.flatMap(UnmatchedReason.init(rawValue:)) else { return nil }
                return UnmatchedReportCount(kind: kind, source: row[1].text ?? "", reason: reason, count: Int(row[3].integer ?? 0))
            }
        }
    }

    /// The raw payloads of the unmatched reports, oldest first.
    public func unmatchedRawPayloads() throws -> [Data] {
        try read { connection in
            try connection.query("SELECT raw_payload FROM unmatched_reports ORDER BY ingested_at, id", []).rows().map { $0[0].blob ?? Data() }
        }
    }

    /// Unmatched receipts and arrivals stored now.
    public func unmatchedCount() throws -> Int {
        try read { connection in Int(try connection.scalar("SELECT count(*) FROM unmatched_reports")?.integer ?? 0) }
    }

    /// Number of rows in each table, for tests and diagnostics.
    public func rowCounts() throws -> (canaries: Int, receipts: Int, arrivals: Int) {
        try read { connection in
            (Int(try connection.scalar("SELECT count(*) FROM canaries")?.integer ?? 0),
             Int(try connection.scalar("SELECT count(*) FROM receipts")?.integer ?? 0),
             Int(try connection.scalar("SELECT count(*) FROM arrivals")?.integer ?? 0))
        }
    }

    static func receipt(from row: [StoreValue]) -> StoredReceipt {
        let report = ReceiptReport(
            reference: row[0].integer ?? 0, route: row[1].text ?? "", providerMessageID: row[2].text,
            token: row[3].text.flatMap(Token.init), status: row[4].text.flatMap(ReceiptStatus.init(rawValue:)) ?? .unknown,
            rawStatus: row[5].text ?? "", errorCode: row[6].text, reportedAt: row[7].date,
            ingestedAt: row[8].date ?? Date(timeIntervalSince1970: 0))
        let reason = row[10].text.flatMap(UnmatchedReason.init(rawValue:))
        let canaryID = row[12].text
        let match: ReportMatch? = reason.map { .unmatched($0, canaryID: canaryID) }
            ?? canaryID.map { (row[9].integer ?? 0) != 0 ? .duplicate(canaryID: $0) : .matched(canaryID: $0) }
        return StoredReceipt(report: report, match: match, rawPayload: row[11].blob ?? Data())
    }
}

extension CanaryStore {
    /// The SQL the store's engine wants where the engines differ.
    var dialect: SQLDialect { location.dialect }
}

/// The fence in force, shared by the store and its writer's admission check.
final class FenceSlot: Sendable {
    private let slot = Mutex<LeaseFence?>(nil)

    var current: LeaseFence? {
        get { slot.withLock { $0 } }
        set { slot.withLock { $0 = newValue } }
    }
}

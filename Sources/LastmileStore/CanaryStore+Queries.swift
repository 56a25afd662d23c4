import Foundation
import LastmileCore

/// A filter for listing canaries.
public struct CanaryQuery: Sendable, Hashable {
    public var route: String?
    public var carrier: String?
    public var probe: String?
    public var verdict: Verdict?
    /// Only canaries whose submit started at or after this.
    public var since: Date?
    public var limit: Int

    public init(route: String? = nil, carrier: String? = nil, probe: String? = nil, verdict: Verdict? = nil,
                since: Date? = nil, limit: Int = 100) {
        self.route = route
        self.carrier = carrier
        self.probe = probe
        self.verdict = verdict
        self.since = since
        self.limit = max(1, min(limit, 10_000))
    }
}

/// An arrival as stored.
public struct StoredArrivalRecord: Sendable, Hashable {
    public var id: Int64
    public var receiver: String
    public var from: String
    public var body: String
    public var reportedAt: Date?
    public var ingestedAt: Date
    public var duplicate: Bool
    public var unmatchedReason: UnmatchedReason?
}

extension CanaryStore {
    /// The newest canaries matching `query`, newest first.
    public func canaries(matching query: CanaryQuery) throws -> [Canary] {
        var conditions: [String] = []
        var values: [StoreValue] = []
        if let route = query.route { conditions.append("route = ?"); values.append(.text(route)) }
        if let carrier = query.carrier { conditions.append("carrier = ?"); values.append(.text(carrier)) }
        if let probe = query.probe { conditions.append("probe = ?"); values.append(.text(probe)) }
        if let verdict = query.verdict { conditions.append("verdict = ?"); values.append(.text(verdict.rawValue)) }
        if let since = query.since { conditions.append("submit_started_at >= ?"); values.append(StoreValue(since)) }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT \(CanaryRow.columns) FROM canaries \(filter) ORDER BY submit_started_at DESC LIMIT \(query.limit)"
        let bound = values
        return try read { connection in
            let statement = try connection.query(sql, bound)
            return try statement.rows().map(CanaryRow.canary(from:))
        }
    }

    /// Arrivals stored for one canary, in ingest order (the first `limit` when given).
    public func arrivals(canaryID: String, limit: Int? = nil) throws -> [StoredArrivalRecord] {
        try read { connection in
            let statement = try connection.query("""
                SELECT id, receiver, sender, body, reported_at, ingested_at, duplicate, unmatched_reason
                  FROM arrivals WHERE canary_id = ? ORDER BY ingested_at, id\(limit.map { " LIMIT \(max(0, $0))" } ?? "")
                """, [.text(canaryID)])
            return try statement.rows().map { row in
                StoredArrivalRecord(id: row[0].integer ?? 0, receiver: row[1].text ?? "", from: row[2].text ?? "",
                                    body: row[3].text ?? "", reportedAt: row[4].date,
                                    ingestedAt: row[5].date ?? Date(timeIntervalSince1970: 0), duplicate: (row[6].integer ?? 0) != 0,
                                    unmatchedReason: row[7].text.flatMap(UnmatchedReason.init(rawValue:)))
            }
        }
    }

    /// Canaries each route started since `start`, for daily caps after a restart.
    public func sentCounts(since start: Date) throws -> [String: Int] {
        try read { connection in
            let statement = try connection.query("SELECT route, count(*) FROM canaries WHERE submit_started_at >= ? GROUP BY route", [StoreValue(start)])
            var counts: [String: Int] = [:]
            for row in try statement.rows() { counts[row[0].text ?? ""] = Int(row[1].integer ?? 0) }
            return counts
        }
    }
}

extension CanaryStore {
    /// Every canary whose submit started in `[from, to)`, optionally of one route.
    public func canaries(startedFrom from: Date, to: Date, route: String? = nil) throws -> [Canary] {
        var sql = "SELECT \(CanaryRow.columns) FROM canaries WHERE submit_started_at >= ? AND submit_started_at < ?"
        var values: [StoreValue] = [StoreValue(from), StoreValue(to)]
        if let route {
            sql += " AND route = ?"
            values.append(.text(route))
        }
        let bound = values
        let query = sql
        return try read { connection in
            let statement = try connection.query(query, bound)
            return try statement.rows().map(CanaryRow.canary(from:))
        }
    }
}

extension CanaryStore {
    /// Bodies of stored arrivals containing `text`, for diagnostics and tests.
    public func arrivalBodies(containing text: String) throws -> [String] {
        try read { connection in
            let statement = try connection.query("SELECT body FROM arrivals WHERE instr(body, ?) > 0", [.text(text)])
            return try statement.rows().compactMap { $0[0].text }
        }
    }

    /// SQLite's own check of the file: `ok` when sound.
    public func integrityCheck() throws -> String {
        try read { connection in try connection.scalar("PRAGMA integrity_check")?.text ?? "no answer" }
    }
}

extension CanaryStore {
    /// Fills the store with `count` settled canaries spread over the 30 days before `end`, in a
    /// handful of large transactions; 20 routes × 5 carriers, 1 % lost, 2 % late. For benchmarks.
    public func bulkInsertForBenchmark(count: Int, endingAt end: Date) throws {
        let connection = try SQLiteConnection(path: path)
        try connection.configure(StoreConfiguration(synchronous: .normal))
        var generator = SystemRandomNumberGenerator()
        let span = 30.0 * 86_400
        var index = 0
        while index < count {
            try connection.execute("BEGIN")
            for _ in 0..<min(100_000, count - index) {
                let started = end.addingTimeInterval(-span * Double(index) / Double(count) - 1)
                let token = Token(payload: UInt64(index) &* 2_654_435_761 & 0xFF_FFFF_FFFF)
                let plan = CanaryPlan(id: "bench-\(index)", token: token, route: "route-\(index % 20)", carrier: "carrier-\(index % 5)",
                                      probe: "probe-\(index % 20)", receiver: "rx", to: "+15551230001", from: "LASTMILE",
                                      body: "Lastmile check \(token)", threshold: 60, deadline: 900)
                var canary = Canary(plan: plan, submitStartedAt: started)
                canary.submit = SubmitAnswer(outcome: .accepted, providerMessageID: "m\(index)")
                canary.submitEndedAt = started.addingTimeInterval(0.2)
                canary.receiptStatus = .delivered
                canary.receiptRawStatus = "DELIVRD"
                let roll = Int.random(in: 0..<100, using: &generator)
                if roll == 0 {
                    canary.verdict = .lost
                    canary.facts = [.falseReceipt]
                    canary.settledAt = started.addingTimeInterval(900)
                } else {
                    let latency = roll < 3 ? Double.random(in: 61...300, using: &generator) : Double.random(in: 1...30, using: &generator)
                    canary.arrival = ArrivalRecord(ingestedAt: started.addingTimeInterval(latency), reportedAt: nil, latency: latency,
                                                   from: "LASTMILE", body: plan.body)
                    canary.verdict = latency <= 60 ? .delivered : .late
                    canary.settledAt = started.addingTimeInterval(latency)
                }
                try connection.run(CanaryRow.upsert, CanaryRow.values(of: canary))
                index += 1
            }
            try connection.execute("COMMIT")
        }
    }
}

extension CanaryStore {
    /// The latest submit start in the store.
    public func latestStart() throws -> Date? {
        try read { connection in try connection.scalar("SELECT max(submit_started_at) FROM canaries")?.date }
    }
}

import Foundation
import LastmileCore

extension CanaryStore {
    /// Per route × carrier summaries of the canaries started in `[from, to)`, counted by SQLite
    /// (a month of canaries is never loaded row by row).
    public func summaries(startedFrom from: Date, to: Date, route: String? = nil) throws -> [RouteCarrierSummary] {
        var filter = "submit_started_at >= ? AND submit_started_at < ?"
        var values: [StoreValue] = [StoreValue(from), StoreValue(to)]
        if let route {
            filter += " AND route = ?"
            values.append(.text(route))
        }
        let bound = values
        // A long period covers most of the table: one pass over it beats a row lookup per index entry.
        let source = to.timeIntervalSince(from) >= 3 * 86_400 ? dialect.scanning("canaries") : "canaries"
        // One pass, the work done by SQLite as small integers, the grouping done here without a
        // String per row (nor a concatenation by the database).
        let scan = """
            SELECT route, carrier,
                   CASE submit_outcome WHEN 'accepted' THEN 1 WHEN 'rejected' THEN 2 WHEN 'error' THEN 3 WHEN 'unknown' THEN 4 ELSE 0 END,
                   CASE WHEN receipt_status = 'delivered' THEN 1
                        WHEN receipt_status IN ('undelivered', 'failed', 'rejected', 'expired', 'deleted') THEN 2 ELSE 0 END,
                   CASE verdict WHEN 'delivered' THEN 1 WHEN 'late' THEN 2 WHEN 'lost' THEN 3 WHEN 'rejected' THEN 4
                                WHEN 'send_error' THEN 5 ELSE 0 END,
                   CASE WHEN facts = '' THEN 0 ELSE
                     \(Self.factBits.enumerated().map { "(CAST(instr(facts, '\($1)') > 0 AS INTEGER) << \($0))" }.joined(separator: " | ")) END,
                   duplicate_count, latency_s
              FROM \(source) WHERE \(filter)
            """
        return try read { connection in
            var pairs = PairPositions()
            var summaries: [RouteCarrierSummary] = []
            let statement = try connection.query(scan, bound)
            while try statement.step() {
                let position = statement.withText(0) { route in
                    statement.withText(1) { carrier in
                        pairs.position(route: route, carrier: carrier) {
                            summaries.append(RouteCarrierSummary(route: String(decoding: route, as: UTF8.self),
                                                                 carrier: String(decoding: carrier, as: UTF8.self)))
                        }
                    }
                }
                let outcome = statement.integer(at: 2), receipt = statement.integer(at: 3), verdictCode = statement.integer(at: 4)
                let facts = statement.integer(at: 5)
                Self.count(into: &summaries[position], outcome: outcome, receipt: receipt, verdictCode: verdictCode, facts: facts,
                           duplicates: Int(statement.integer(at: 6)), latency: statement.double(at: 7))
            }
            for position in summaries.indices { summaries[position].latencies.sort() }
            return summaries.sorted { ($0.route, $0.carrier) < ($1.route, $1.carrier) }
        }
    }

    /// Which summary a row's route and carrier belong to, found from their bytes as the database
    /// hands them over: no string and no array per row, where the scan has millions.
    private struct PairPositions {
        private var routes: [[UInt8]] = []
        private var carriers: [[UInt8]] = []
        private var byHash: [UInt64: [Int]] = [:]

        /// The position of the pair, given the next one (after calling `adding`) if it is new.
        mutating func position(route: UnsafeRawBufferPointer, carrier: UnsafeRawBufferPointer, adding: () -> Void) -> Int {
            let hash = Self.hash(carrier, seed: Self.hash(route, seed: 0xCBF2_9CE4_8422_2325) ^ 0x1F)
            if let candidates = byHash[hash] {
                for position in candidates where routes[position].elementsEqual(route) && carriers[position].elementsEqual(carrier) {
                    return position
                }
            }
            routes.append(Array(route))
            carriers.append(Array(carrier))
            byHash[hash, default: []].append(routes.count - 1)
            adding()
            return routes.count - 1
        }

        /// FNV-1a over `bytes`, from `seed`.
        private static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
            var hash = seed
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
            return hash
        }
    }

    /// The facts the scan reads into bits, lowest first.
    private static let factBits = ["false_receipt", "honest_failure", "silence", "altered_body", "altered_sender",
                                   "arrived_after_settlement"]

    private static let verdictByCode: [Verdict?] = [nil, .delivered, .late, .lost, .rejected, .sendError]

    /// Adds one canary's codes to its summary, in place (a copy would copy the latencies each time).
    private static func count(into summary: inout RouteCarrierSummary, outcome: Int64, receipt: Int64, verdictCode: Int64,
                              facts: Int64, duplicates: Int, latency: Double?) {
        summary.sent += 1
        switch outcome {
        case 1: summary.accepted += 1
        case 2: summary.rejected += 1
        case 3: summary.apiErrors += 1
        case 4: summary.unknownSubmits += 1
        default: break
        }
        switch receipt {
        case 1: summary.receiptDelivered += 1
        case 2: summary.receiptFailed += 1
        default: summary.receiptNone += 1
        }
        if let verdict = verdictByCode[Int(verdictCode)] {
            summary.verdicts[verdict, default: 0] += 1
            if outcome == 0 || outcome == 1 || outcome == 4 { summary.acceptedSettled += 1 }
            if verdict.arrived, let latency { summary.latencies.append(latency) }
        } else {
            summary.inFlight += 1
        }
        if facts != 0 {
            if facts & 1 != 0 { summary.falseReceipts += 1 }
            if facts & 2 != 0 { summary.honestFailures += 1 }
            if facts & 4 != 0 { summary.silences += 1 }
            if facts & 8 != 0 { summary.alteredBodies += 1 }
            if facts & 16 != 0 { summary.alteredSenders += 1 }
            if facts & 32 != 0 { summary.arrivalsAfterSettlement += 1 }
        }
        summary.duplicates += duplicates
    }
}

extension CanaryStore {
    /// Canaries settled since `since` (and before `before`, of `route`, when given), as the SLOs
    /// need them: for rebuilding them at start-up, and for a report's compliance.
    public func settledCanaries(since: Date, before: Date? = nil, route: String? = nil) throws -> [SettledCanary] {
        try read { connection in
            var conditions = ["state = 'settled'", "settled_at >= ?"]
            var values = [StoreValue(since)]
            if let before {
                conditions.append("settled_at < ?")
                values.append(StoreValue(before))
            }
            if let route {
                conditions.append("route = ?")
                values.append(.text(route))
            }
            let statement = try connection.query("""
                SELECT route, carrier, verdict, submit_outcome, receipt_status = 'delivered', instr(facts, 'false_receipt') > 0, settled_at, id
                  FROM canaries WHERE \(conditions.joined(separator: " AND ")) ORDER BY settled_at
                """, values)
            var canaries: [SettledCanary] = []
            while try statement.step() {
                guard let verdict = statement.value(at: 2).text.flatMap(Verdict.init(rawValue:)), let settledAt = statement.value(at: 6).date else {
                    continue
                }
                canaries.append(SettledCanary(route: statement.value(at: 0).text ?? "", carrier: statement.value(at: 1).text ?? "",
                                              verdict: verdict, submitOutcome: statement.value(at: 3).text.flatMap(SubmitOutcome.init(rawValue:)),
                                              receiptSaidDelivered: statement.integer(at: 4) != 0, falseReceipt: statement.integer(at: 5) != 0,
                                              settledAt: settledAt, canaryID: statement.value(at: 7).text))
            }
            return canaries
        }
    }
}

import Foundation
import LastmileCore

extension CanaryStore {
    /// Per route × carrier summaries of the canaries started in `[from, to)`, counted by SQLite
    /// (a month of canaries is never loaded row by row).
    public func summaries(startedFrom from: Date, to: Date, route: String? = nil) throws -> [RouteCarrierSummary] {
        var filter = "submit_started_at >= ? AND submit_started_at < ?"
        var values: [SQLiteValue] = [SQLiteValue(from), SQLiteValue(to)]
        if let route {
            filter += " AND route = ?"
            values.append(.text(route))
        }
        let bound = values
        let counts = """
            SELECT route, carrier, count(*),
                   sum(submit_outcome = 'accepted'), sum(submit_outcome = 'rejected'), sum(submit_outcome = 'error'),
                   sum(submit_outcome = 'unknown'),
                   sum(receipt_status = 'delivered'),
                   sum(receipt_status IN ('undelivered', 'failed', 'rejected', 'expired', 'deleted')),
                   sum(verdict = 'delivered'), sum(verdict = 'late'), sum(verdict = 'lost'), sum(verdict = 'rejected'),
                   sum(verdict = 'send_error'), sum(verdict IS NULL),
                   sum(verdict IS NOT NULL AND (submit_outcome IS NULL OR submit_outcome IN ('accepted', 'unknown'))),
                   sum(instr(facts, 'false_receipt') > 0), sum(instr(facts, 'honest_failure') > 0), sum(instr(facts, 'silence') > 0),
                   sum(instr(facts, 'altered_body') > 0), sum(instr(facts, 'altered_sender') > 0), sum(duplicate_count),
                   sum(instr(facts, 'arrived_after_settlement') > 0)
              FROM canaries WHERE \(filter) GROUP BY route, carrier ORDER BY route, carrier
            """
        let latencies = """
            SELECT route, carrier, latency_s FROM canaries
             WHERE \(filter) AND verdict IN ('delivered', 'late') AND latency_s IS NOT NULL
             ORDER BY route, carrier, latency_s
            """
        return try read { connection in
            var summaries: [RouteCarrierSummary] = []
            var index: [String: Int] = [:]
            let statement = try connection.statement(counts)
            try statement.bind(bound)
            while try statement.step() {
                func number(_ column: Int) -> Int { Int(statement.value(at: column).integer ?? 0) }
                var summary = RouteCarrierSummary(route: statement.value(at: 0).text ?? "", carrier: statement.value(at: 1).text ?? "")
                summary.sent = number(2)
                summary.accepted = number(3)
                summary.rejected = number(4)
                summary.apiErrors = number(5)
                summary.unknownSubmits = number(6)
                summary.receiptDelivered = number(7)
                summary.receiptFailed = number(8)
                summary.receiptNone = summary.sent - summary.receiptDelivered - summary.receiptFailed
                let verdicts: [(Verdict, Int)] = [(.delivered, number(9)), (.late, number(10)), (.lost, number(11)),
                                                  (.rejected, number(12)), (.sendError, number(13))]
                for (verdict, count) in verdicts where count > 0 { summary.verdicts[verdict] = count }
                summary.inFlight = number(14)
                summary.acceptedSettled = number(15)
                summary.falseReceipts = number(16)
                summary.honestFailures = number(17)
                summary.silences = number(18)
                summary.alteredBodies = number(19)
                summary.alteredSenders = number(20)
                summary.duplicates = number(21)
                summary.arrivalsAfterSettlement = number(22)
                index[summary.route + "\u{0}" + summary.carrier] = summaries.count
                summaries.append(summary)
            }
            let rows = try connection.statement(latencies)
            try rows.bind(bound)
            while try rows.step() {
                let key = (rows.value(at: 0).text ?? "") + "\u{0}" + (rows.value(at: 1).text ?? "")
                if let position = index[key], let latency = rows.value(at: 2).real { summaries[position].latencies.append(latency) }
            }
            return summaries
        }
    }
}

import Foundation
import LastmileCore

extension CanaryStore {
    /// Canaries settled since `since`, in the order they were sent, as the sequential detectors
    /// need them to take back their evidence at start-up.
    public func detectionHistory(since: Date) throws -> [DetectionRecord] {
        try read { connection in
            let statement = try connection.query("""
                SELECT route, carrier, receiver, submit_started_at, submit_outcome, verdict, arrival_ingested_at IS NOT NULL, latency_s,
                       settled_at
                  FROM canaries WHERE state = 'settled' AND settled_at >= ? ORDER BY submit_started_at
                """, [StoreValue(since)])
            var records: [DetectionRecord] = []
            while try statement.step() {
                guard let sentAt = statement.value(at: 3).date, let settledAt = statement.value(at: 8).date,
                      let verdict = statement.value(at: 5).text.flatMap(Verdict.init(rawValue:)) else { continue }
                let arrived = statement.integer(at: 6) != 0
                let outcome = DetectionRecord.outcome(verdict: verdict, submit: statement.value(at: 4).text.flatMap(SubmitOutcome.init(rawValue:)),
                                                      arrived: arrived) ?? .excluded
                records.append(DetectionRecord(route: statement.value(at: 0).text ?? "", carrier: statement.value(at: 1).text ?? "",
                                               receiver: statement.value(at: 2).text ?? "", sentAt: sentAt, outcome: outcome,
                                               latency: arrived ? statement.value(at: 7).real : nil, decidedAt: settledAt))
            }
            return records
        }
    }
}

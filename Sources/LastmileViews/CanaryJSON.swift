import Foundation
import LastmileBase
import LastmileCore
import LastmileStore

/// JSON shapes of the canary API.
public enum CanaryJSON {
    public static func time(_ date: Date?) -> Any { date.map(Timestamps.format) ?? NSNull() }

    public static func summary(_ canary: Canary) -> [String: Any] {
        let plan = canary.plan
        return [
            "id": plan.id, "token": plan.token.description, "route": plan.route, "carrier": plan.carrier,
            "probe": plan.probe, "receiver": plan.receiver, "to": plan.to, "from": plan.from, "body": plan.body,
            "state": canary.state.rawValue, "scheduled_at": time(plan.scheduledAt),
            "submit_started_at": time(canary.submitStartedAt),
            "submit_ended_at": time(canary.submitEndedAt),
            "submit": canary.submit.map { answer -> Any in
                ["outcome": answer.outcome.rawValue, "message_id": answer.providerMessageID ?? NSNull(),
                 "provider_status": answer.providerStatus ?? NSNull(), "error_code": answer.errorCode ?? NSNull(),
                 "reason": answer.reason ?? NSNull()] as [String: Any]
            } ?? NSNull(),
            "receipt_status": canary.receiptStatus?.rawValue ?? NSNull(),
            "receipt_raw_status": canary.receiptRawStatus ?? NSNull(),
            "receipt_count": canary.receiptCount,
            "arrived_at": time(canary.arrival?.ingestedAt),
            "latency_seconds": canary.arrival.map { $0.latency as Any } ?? NSNull(),
            "verdict": canary.verdict?.rawValue ?? NSNull(),
            "settled_at": time(canary.settledAt),
            "facts": canary.facts.sorted().map(\.rawValue),
            "duplicates": canary.duplicateCount,
        ]
    }

    /// The canary with every receipt and arrival, and its events in time order.
    public static func timeline(_ canary: Canary, receipts: [StoredReceipt], arrivals: [StoredArrivalRecord]) -> [String: Any] {
        var object = summary(canary)
        object["receipts"] = receipts.map { receipt -> [String: Any] in
            ["id": receipt.id, "status": receipt.report.status.rawValue, "raw_status": receipt.report.rawStatus,
             "error_code": receipt.report.errorCode ?? NSNull(), "reported_at": time(receipt.report.reportedAt),
             "ingested_at": time(receipt.report.ingestedAt), "duplicate": receipt.duplicate,
             "unmatched_reason": receipt.unmatchedReason?.rawValue ?? NSNull()]
        }
        object["arrivals"] = arrivals.map { arrival -> [String: Any] in
            ["id": arrival.id, "receiver": arrival.receiver, "from": arrival.from, "body": arrival.body,
             "reported_at": time(arrival.reportedAt), "ingested_at": time(arrival.ingestedAt), "duplicate": arrival.duplicate,
             "unmatched_reason": arrival.unmatchedReason?.rawValue ?? NSNull()]
        }
        var events: [(Date, String, String)] = canary.plan.scheduledAt.map { [($0, "scheduled", canary.plan.probe)] } ?? []
        events.append((canary.submitStartedAt, "submit_started", ""))
        if let ended = canary.submitEndedAt {
            events.append((ended, "submit_answered", canary.submit?.outcome.rawValue ?? ""))
        }
        events += receipts.map { ($0.report.ingestedAt, "receipt", $0.report.rawStatus) }
        events += arrivals.map { ($0.ingestedAt, "arrival", $0.duplicate ? "duplicate" : "") }
        if let settled = canary.settledAt { events.append((settled, "settled", canary.verdict?.rawValue ?? "")) }
        object["events"] = events.sorted { $0.0 < $1.0 }.map { ["at": time($0.0), "event": $0.1, "detail": $0.2] }
        return object
    }

    public static func encode(_ object: Any) -> [UInt8] {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])) ?? Data("{}".utf8)
        return Array(data) + [0x0A]
    }
}

import Foundation
import LastmileCore

/// The mapping between a `Canary` and a row of the `canaries` table.
enum CanaryRow {
    static let columns = """
        id, token, route, carrier, probe, receiver, to_number, sender, body, threshold_s, deadline_s, latency_clock, \
        state, submit_started_at, submit_ended_at, submit_outcome, provider_message_id, provider_status, \
        provider_error_code, submit_reason, receipt_status, receipt_raw_status, receipt_count, seen_receipts, \
        arrival_ingested_at, arrival_reported_at, arrival_from, arrival_body, latency_s, verdict, settled_at, facts, \
        duplicate_count, provider_price, provider_network, scheduled_at
        """

    static let upsert: String = {
        let names = columns.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let placeholders = Array(repeating: "?", count: names.count).joined(separator: ", ")
        let updates = names.dropFirst().map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        return "INSERT INTO canaries (\(columns)) VALUES (\(placeholders)) ON CONFLICT (id) DO UPDATE SET \(updates)"
    }()

    static func values(of canary: Canary) -> [StoreValue] {
        let plan = canary.plan
        return [
            .text(plan.id), .text(plan.token.description), .text(plan.route), .text(plan.carrier), .text(plan.probe),
            .text(plan.receiver), .text(plan.to), .text(plan.from), .text(plan.body), .real(plan.threshold),
            .real(plan.deadline), .text(plan.latencyClock.rawValue),
            .text(canary.state.rawValue), StoreValue(canary.submitStartedAt), StoreValue(canary.submitEndedAt),
            StoreValue(canary.submit?.outcome.rawValue), StoreValue(canary.submit?.providerMessageID),
            StoreValue(canary.submit?.providerStatus), StoreValue(canary.submit?.errorCode),
            StoreValue(canary.submit?.reason),
            StoreValue(canary.receiptStatus?.rawValue), StoreValue(canary.receiptRawStatus),
            StoreValue(canary.receiptCount), .text(canary.seenReceipts.sorted().joined(separator: "\n")),
            StoreValue(canary.arrival?.ingestedAt), StoreValue(canary.arrival?.reportedAt),
            StoreValue(canary.arrival?.from), StoreValue(canary.arrival?.body), StoreValue(canary.arrival?.latency),
            StoreValue(canary.verdict?.rawValue), StoreValue(canary.settledAt),
            .text(canary.facts.sorted().map(\.rawValue).joined(separator: ",")), StoreValue(canary.duplicateCount),
            StoreValue(canary.submit?.price), StoreValue(canary.submit?.network), StoreValue(plan.scheduledAt),
        ]
    }

    /// Rebuilds a canary from a row selected with `columns`.
    static func canary(from row: [StoreValue]) throws -> Canary {
        func text(_ index: Int) throws -> String {
            guard let value = row[index].text else { throw corrupt("column \(index) is not text") }
            return value
        }
        guard let token = Token(try text(1)) else { throw corrupt("bad token \(row[1])") }
        let plan = CanaryPlan(
            id: try text(0), token: token, route: try text(2), carrier: try text(3), probe: try text(4),
            receiver: try text(5), to: try text(6), from: try text(7), body: try text(8),
            threshold: row[9].real ?? 0, deadline: row[10].real ?? 0,
            latencyClock: LatencyClock(rawValue: try text(11)) ?? .ingest, scheduledAt: row[35].date)
        guard let startedAt = row[13].date else { throw corrupt("no submit start for \(plan.id)") }
        var canary = Canary(plan: plan, submitStartedAt: startedAt)
        canary.submitEndedAt = row[14].date
        if let outcome = row[15].text.flatMap(SubmitOutcome.init(rawValue:)) {
            canary.submit = SubmitAnswer(outcome: outcome, providerMessageID: row[16].text, providerStatus: row[17].text,
                                         errorCode: row[18].text, reason: row[19].text, price: row[33].text, network: row[34].text)
        }
        canary.receiptStatus = row[20].text.flatMap(ReceiptStatus.init(rawValue:))
        canary.receiptRawStatus = row[21].text
        canary.receiptCount = Int(row[22].integer ?? 0)
        canary.seenReceipts = Set((row[23].text ?? "").split(separator: "\n").map(String.init))
        if let ingestedAt = row[24].date {
            canary.arrival = ArrivalRecord(ingestedAt: ingestedAt, reportedAt: row[25].date, latency: row[28].real ?? 0,
                                           from: row[26].text ?? "", body: row[27].text ?? "")
        }
        canary.verdict = row[29].text.flatMap(Verdict.init(rawValue:))
        canary.settledAt = row[30].date
        canary.facts = CanaryFacts((row[31].text ?? "").split(separator: ",").compactMap { CanaryFact(rawValue: String($0)) })
        canary.duplicateCount = Int(row[32].integer ?? 0)
        return canary
    }

    static func corrupt(_ message: String) -> SQLiteError {
        SQLiteError(code: 0, message: "corrupt canary row: \(message)")
    }
}

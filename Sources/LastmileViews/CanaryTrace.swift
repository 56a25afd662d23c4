import Foundation
import LastmileBase
import LastmileCore
import LastmileStore

/// One canary's whole story, for `lastmile trace`: every event with its time and the time since
/// the submit started, and the verdict with the reason for it.
public struct CanaryTrace: Sendable {
    /// The most receipts, and the most arrivals, a trace shows: a provider that repeats one
    /// receipt thousands of times makes a long story, not an endless one.
    public static let shownReports = 500

    public let canary: Canary
    /// The first `shownReports` receipts, without their payloads.
    public let receipts: [StoredReceipt]
    /// The first `shownReports` arrivals.
    public let arrivals: [StoredArrivalRecord]
    /// Whether the store has more receipts, or more arrivals, than those shown.
    public let isCut: Bool

    /// Looks a canary up by id or token; nil when the store has no such canary.
    public init?(store: CanaryStore, key: String) throws {
        guard let canary = try store.canary(id: key) ?? Token(key).flatMap({ try? store.canary(token: $0) }) else { return nil }
        self.canary = canary
        let receipts = try store.receipts(canaryID: canary.id, limit: Self.shownReports + 1, payloads: false)
        let arrivals = try store.arrivals(canaryID: canary.id, limit: Self.shownReports + 1)
        self.receipts = Array(receipts.prefix(Self.shownReports))
        self.arrivals = Array(arrivals.prefix(Self.shownReports))
        isCut = receipts.count > Self.shownReports || arrivals.count > Self.shownReports
    }

    /// The timeline as the canary API gives it.
    public var json: [UInt8] {
        var timeline = CanaryJSON.timeline(canary, receipts: receipts, arrivals: arrivals)
        timeline["reports_cut"] = isCut
        return CanaryJSON.encode(timeline)
    }

    /// Events in time order: when, and what happened.
    public var events: [(at: Date, text: String)] {
        let plan = canary.plan
        var events: [(at: Date, text: String)] = []
        if let scheduled = plan.scheduledAt {
            events.append((scheduled, "scheduled by probe \(plan.probe)"))
        }
        let wait = plan.scheduledAt.map { " (\(Self.seconds(canary.submitStartedAt.timeIntervalSince($0))) after its schedule)" } ?? ""
        events.append((canary.submitStartedAt, "submit started: request to route \(plan.route)\(wait)"))
        if let ended = canary.submitEndedAt {
            let took = Self.seconds(ended.timeIntervalSince(canary.submitStartedAt))
            if let answer = canary.submit {
                var details = [answer.outcome.rawValue]
                if let id = answer.providerMessageID { details.append("message id \(id.quotedForDisplay)") }
                if let status = answer.providerStatus { details.append("status \(status.quotedForDisplay)") }
                if let code = answer.errorCode { details.append("error \(code.quotedForDisplay)") }
                if let reason = answer.reason { details.append(reason.quotedForDisplay) }
                events.append((ended, "API answered after \(took): " + details.joined(separator: ", ")))
            } else {
                events.append((ended, "API answered after \(took)"))
            }
        }
        for receipt in receipts {
            var text = "receipt \(receipt.report.rawStatus.quotedForDisplay) → \(receipt.report.status.rawValue)"
            if let code = receipt.report.errorCode { text += ", error \(code.quotedForDisplay)" }
            if let reported = receipt.report.reportedAt { text += " (provider's time \(Timestamps.format(reported)))" }
            if receipt.duplicate { text += " [duplicate]" }
            events.append((receipt.report.ingestedAt, text))
        }
        for arrival in arrivals {
            var text = "arrival on \(arrival.receiver) from \(arrival.from.quotedForDisplay)"
            if let reported = arrival.reportedAt { text += " (phone's time \(Timestamps.format(reported)))" }
            text += arrival.body == plan.body ? ", body as sent" : ", body received as \(arrival.body.quotedForDisplay)"
            if arrival.from != plan.from { text += ", sender changed from \(plan.from)" }
            if arrival.duplicate { text += " [duplicate]" }
            events.append((arrival.ingestedAt, text))
        }
        if let settled = canary.settledAt { events.append((settled, "settled: \(canary.verdict?.rawValue ?? "?")")) }
        return events.sorted { $0.at < $1.at }
    }

    /// Why the verdict is what it is, in a sentence.
    public var reason: String {
        let plan = canary.plan
        let receiptSaid = canary.receiptStatus.map { "the receipt said \($0.rawValue)" } ?? "no receipt came"
        switch canary.verdict {
        case .delivered?:
            return "delivered: arrived \(Self.seconds(canary.arrival?.latency ?? 0)) after the submit, within the \(Self.seconds(plan.threshold)) threshold; \(receiptSaid)."
        case .late?:
            return "late: arrived \(Self.seconds(canary.arrival?.latency ?? 0)) after the submit, past the \(Self.seconds(plan.threshold)) threshold; \(receiptSaid)."
        case .lost?:
            let falseReceipt = canary.facts.contains(.falseReceipt) ? " — a false receipt" : ""
            return "lost: the API accepted it, \(receiptSaid), and nothing arrived by the \(Self.seconds(plan.deadline)) deadline\(falseReceipt)."
        case .rejected?:
            return "rejected: the API refused it (\((canary.submit?.reason ?? canary.submit?.errorCode)?.quotedForDisplay ?? "no reason given")) and nothing arrived."
        case .sendError?:
            return "send error: the request failed (\(canary.submit?.reason?.quotedForDisplay ?? "no answer")) and nothing arrived."
        case nil:
            return "in flight: not settled yet; the deadline is \(Timestamps.format(canary.deadlineAt))."
        }
    }

    /// The whole trace as text.
    public var text: String {
        let plan = canary.plan
        var lines = [
            "canary \(plan.id)  token \(plan.token)",
            "route \(plan.route) × \(plan.carrier)  probe \(plan.probe)  receiver \(plan.receiver)",
            "to \(plan.to)  from \(plan.from)  body \"\(plan.body)\"",
            "",
        ]
        let start = canary.submitStartedAt
        // Message ids, statuses, reasons, senders and bodies come from providers and phones: shown
        // escaped, they cannot rewrite the terminal or forge a line of the timeline.
        let rows = events.map {
            [Timestamps.format($0.at), String(format: "%+.3fs", $0.at.timeIntervalSince(start)), $0.text.escapingUnprintable]
        }
        lines += TextTable.lines(rows, rightAligned: { $0 == 1 })
        if isCut { lines.append("(only the first \(Self.shownReports) receipts and \(Self.shownReports) arrivals are shown)") }
        let facts = canary.facts.map(\.rawValue).sorted()
        lines += ["", "verdict: " + reason.escapingUnprintable]
        if !facts.isEmpty { lines.append("facts: " + facts.joined(separator: ", ")) }
        return lines.joined(separator: "\n") + "\n"
    }

    static func seconds(_ value: TimeInterval) -> String {
        value < 1 ? String(format: "%.0f ms", value * 1000) : String(format: "%.2f s", value)
    }
}

import Foundation

/// A summary report for a period, in the formats cron jobs and people want.
public struct PeriodSummary: Sendable {
    public enum Format: String, CaseIterable, Sendable {
        case text, markdown, json, csv, html
    }

    public var title: String
    public var from: Date
    public var to: Date
    public var summaries: [RouteCarrierSummary]
    /// The same summaries per UTC day, for the HTML report's daily chart (empty: no chart).
    public var daily: [(day: Date, summaries: [RouteCarrierSummary])] = []
    /// Each SLO's record over the period (empty: no SLOs given).
    public var compliance: [SLOCompliance] = []
    /// Reports that joined no canary over the period.
    public var unmatched: [UnmatchedReportCount] = []

    public init(title: String = "Lastmile report", from: Date, to: Date, summaries: [RouteCarrierSummary]) {
        self.title = title
        self.from = from
        self.to = to
        self.summaries = summaries
    }

    public func render(_ format: Format) -> String {
        switch format {
        case .text: return table(markdown: false) + complianceSection(markdown: false) + unmatchedSection(markdown: false)
        case .markdown: return "# \(title)\n\n\(periodText)\n\n" + table(markdown: true) + "\n" + notes(markdown: true)
            + complianceSection(markdown: true) + unmatchedSection(markdown: true)
        case .json: return json()
        case .csv: return csv()
        case .html: return html()
        }
    }

    var periodText: String {
        "\(Self.timestamp(from)) to \(Self.timestamp(to))"
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle())
    }

    /// One decimal for people to read, but never rounded to 0.0 % or 100.0 % when the value is
    /// not exactly that: one loss in thousands must not read as none, next to objectives of 99.9 %.
    static func percent(_ value: Double?) -> String {
        guard let value else { return "-" }
        let text = exactPercent(value)
        if text == "0.0%" && value > 0 { return "<0.1%" }
        if text == "100.0%" && value < 1 { return ">99.9%" }
        return text
    }

    /// One decimal, as printf rounds it: for CSV, whose cells must stay numbers.
    static func exactPercent(_ value: Double?) -> String {
        guard let value else { return "-" }
        return String(format: "%.1f%%", value * 100)
    }

    static func interval(_ bounds: (lower: Double, upper: Double)?) -> String {
        guard let bounds else { return "-" }
        return String(format: "%.1f–%.1f%%", bounds.lower * 100, bounds.upper * 100)
    }

    static func seconds(_ value: Double?) -> String {
        guard let value else { return "-" }
        return value < 10 ? String(format: "%.2fs", value) : String(format: "%.0fs", value)
    }

    static let columns = ["route", "carrier", "sent", "accepted", "receipt delivered", "arrived", "on time", "late", "lost",
                          "lost w/ delivered receipt", "rejected", "send error", "delivery", "accepted undelivered",
                          "false receipts", "p50", "p90", "p95", "p99", "max", "delivery 95% CI", "accepted undelivered 95% CI"]

    /// Each summary's cells; `percent` writes the rates (`exactPercent` for CSV).
    func rows(percent: (Double?) -> String = Self.percent) -> [[String]] {
        summaries.map { summary in
            [summary.route, summary.carrier, String(summary.sent), String(summary.accepted), String(summary.receiptDelivered),
             String(summary.arrived), String(summary.verdicts[.delivered] ?? 0), String(summary.verdicts[.late] ?? 0),
             String(summary.lost), String(summary.falseReceipts), String(summary.verdicts[.rejected] ?? 0),
             String(summary.verdicts[.sendError] ?? 0), percent(summary.deliveryRate),
             percent(summary.acceptedUndeliveredRate), percent(summary.falseReceiptRate),
             Self.seconds(summary.latency(quantile: 0.5)), Self.seconds(summary.latency(quantile: 0.9)),
             Self.seconds(summary.latency(quantile: 0.95)), Self.seconds(summary.latency(quantile: 0.99)), Self.seconds(summary.latencies.last),
             Self.interval(summary.deliveryInterval), Self.interval(summary.acceptedUndeliveredInterval)]
        }
    }

    func table(markdown: Bool) -> String {
        let all = [Self.columns] + rows()
        if markdown {
            var lines = ["| " + Self.columns.joined(separator: " | ") + " |",
                         "|" + Self.columns.map { _ in " --- |" }.joined()]
            lines += rows().map { "| " + $0.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |" }
            if summaries.isEmpty { lines += ["", "(no canaries in this period)"] }
            return lines.joined(separator: "\n") + "\n"
        }
        var output = "\(title): \(periodText)\n\n"
        output += TextTable.lines(all, rightAligned: { $0 >= 2 }, rule: true).joined(separator: "\n") + "\n"
        if summaries.isEmpty { output += "(no canaries in this period)\n" }
        return output + "\n" + notes(markdown: false)
    }

    func notes(markdown: Bool) -> String {
        var lines: [String] = []
        for summary in summaries {
            let name = "\(summary.route) × \(summary.carrier)"
            if summary.falseReceipts > 0 {
                let count = summary.falseReceipts == 1 ? "1 canary was" : "\(summary.falseReceipts) canaries were"
                lines.append("\(name): \(count) lost although the receipt said delivered.")
            }
            if let rate = summary.acceptedUndeliveredRate, rate > 0 {
                lines.append("\(name): \(Self.percent(rate)) of accepted canaries never arrived.")
            }
            if summary.alteredBodies + summary.alteredSenders > 0 {
                lines.append("\(name): \(summary.alteredBodies) bodies and \(summary.alteredSenders) senders were altered on the way.")
            }
        }
        guard !lines.isEmpty else { return "" }
        return lines.map { markdown ? "- \($0)" : "  * \($0)" }.joined(separator: "\n") + "\n"
    }

    /// The route × carrier table as CSV, one row per pair, with four columns per SLO (ratio,
    /// objective, budget left, state) so a spreadsheet needs no second table.
    func csv() -> String {
        func escape(_ cell: String) -> String {
            // A carrier's name is free text: one a spreadsheet would take for a formula is kept as text.
            var cell = cell
            if cell.count > 1, let first = cell.first, "=+-@".contains(first), Double(cell.replacingOccurrences(of: "%", with: "")) == nil {
                cell = "'" + cell
            }
            return cell.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : cell
        }
        var names: [String] = []
        for result in compliance where !names.contains(result.key.slo) { names.append(result.key.slo) }
        let byKey = Dictionary(compliance.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let header = ["from", "to"] + Self.columns.map { $0.replacingOccurrences(of: " ", with: "_") }
            + names.flatMap { name in ["ratio", "objective", "budget_left", "state"].map { "slo_\(name)_\($0)" } }
        let period = [Self.timestamp(from), Self.timestamp(to)]
        let lines = zip(summaries, rows(percent: Self.exactPercent)).map { summary, row in
            period + row + names.flatMap { name -> [String] in
                guard let result = byKey[SLOKey(slo: name, route: summary.route, carrier: summary.carrier)], let ratio = result.ratio else {
                    return ["", "", "", "no_data"]
                }
                return [Self.percentage(ratio), Self.percentage(result.objective), result.budgetRemaining.map(Self.percentage) ?? "",
                        result.isBreached ? "breached" : "met"]
            }
        }
        return ([header] + lines).map { $0.map(escape).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    func json() -> String {
        func optional(_ value: Double?) -> Any { value.map { $0 as Any } ?? NSNull() }
        var routes: [[String: Any]] = []
        for summary in summaries {
            var verdicts: [String: Int] = [:]
            for verdict in Verdict.allCases { verdicts[verdict.rawValue] = summary.verdicts[verdict] ?? 0 }
            var route: [String: Any] = ["route": summary.route, "carrier": summary.carrier, "sent": summary.sent]
            route["api"] = ["accepted": summary.accepted, "rejected": summary.rejected, "error": summary.apiErrors,
                            "unknown": summary.unknownSubmits] as [String: Int]
            route["receipts"] = ["delivered": summary.receiptDelivered, "failed": summary.receiptFailed,
                                 "none": summary.receiptNone] as [String: Int]
            route["verdicts"] = verdicts
            route["in_flight"] = summary.inFlight
            route["lost_by_receipt"] = ["delivered": summary.falseReceipts, "failed": summary.honestFailures,
                                        "none": summary.silences] as [String: Int]
            route["altered"] = ["body": summary.alteredBodies, "sender": summary.alteredSenders] as [String: Int]
            route["duplicates"] = summary.duplicates
            route["arrivals_after_settlement"] = summary.arrivalsAfterSettlement
            route["delivery_rate"] = optional(summary.deliveryRate)
            route["accepted_undelivered_rate"] = optional(summary.acceptedUndeliveredRate)
            route["false_receipt_rate"] = optional(summary.falseReceiptRate)
            route["delivery_rate_95"] = summary.deliveryInterval.map { [$0.lower, $0.upper] } ?? NSNull()
            route["accepted_undelivered_rate_95"] = summary.acceptedUndeliveredInterval.map { [$0.lower, $0.upper] } ?? NSNull()
            var latency: [String: Any] = [:]
            latency["p50"] = optional(summary.latency(quantile: 0.5))
            latency["p90"] = optional(summary.latency(quantile: 0.9))
            latency["p95"] = optional(summary.latency(quantile: 0.95))
            latency["p99"] = optional(summary.latency(quantile: 0.99))
            latency["max"] = optional(summary.latencies.last)
            route["latency_seconds"] = latency
            routes.append(route)
        }
        let slos = compliance.map { result -> [String: Any] in
            ["slo": result.key.slo, "route": result.key.route, "carrier": result.key.carrier, "objective": result.objective,
             "good": result.counts.good, "total": result.counts.total, "ratio": optional(result.ratio),
             "budget_remaining": optional(result.budgetRemaining), "breached": result.isBreached]
        }
        let object: [String: Any] = ["title": title, "from": Self.timestamp(from), "to": Self.timestamp(to), "routes": routes, "slos": slos,
                                     "unmatched": unmatchedJSON()]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// SLO compliance over the period: ratio, objective, budget left, and whether it held.
    func complianceSection(markdown: Bool) -> String {
        guard !compliance.isEmpty else { return "" }
        var lines = [markdown ? "\n## SLO compliance\n" : "\nSLO compliance over the period:"]
        if markdown { lines += ["| SLO | route | carrier | ratio | objective | budget left | events | state |", "|---|---|---|---|---|---|---|---|"] }
        for result in compliance {
            let cells = [result.key.slo, result.key.route, result.key.carrier, result.ratio.map(Self.percentage) ?? "no data",
                         Self.percentage(result.objective), result.budgetRemaining.map(Self.percentage) ?? "-", "\(result.counts.total)",
                         result.isBreached ? "BREACHED" : "met"]
            lines.append(markdown ? "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
                                  : "  " + cells.joined(separator: "  "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func percentage(_ value: Double) -> String { String(format: "%.2f%%", value * 100) }
}

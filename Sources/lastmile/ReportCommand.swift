import Foundation
import LastmileBase
import LastmileConfig
import LastmileCore
import LastmileProviders
import LastmileStore

/// `lastmile report`: a summary of a period, per route × carrier, for cron.
enum ReportCommand {
    static let spec = CommandSpec(
        "report", synopsis: "(--config FILE | --store PATH) [--period P | --from TIME] [--to TIME] [--format F] [--route NAME] "
            + "[--output PATH] [--fail-on-breach]",
        summary: "Summarises a period per route × carrier: canaries, true delivery rates, false receipts, latency, cost, SLO compliance "
            + "and the reports that matched no canary.",
        options: [
            .init("config", "FILE", "read the store this configuration names, and judge its SLOs"),
            .init("store", "PATH|URL", "read this store: a SQLite file, or postgresql://user@host:port/database"),
            .init("period", "P", "a duration such as 1d or 7d (the default) ending at --to, or yesterday, last-week, last-month (UTC) as of --to",
                  choices: ["1d", "7d", "30d"] + SummaryPeriod.allCases.map(\.rawValue)),
            .init("from", "TIME", "the period's start, RFC 3339"),
            .init("to", "TIME", "the period's end, RFC 3339 (default now)"),
            .init("format", "F", "text (the default), markdown, json, csv or html", choices: PeriodSummary.Format.allCases.map(\.rawValue)),
            .init("route", "NAME", "only this route"),
            .init("output", "PATH", "write the report to PATH instead of standard output"),
            .init("fail-on-breach", nil, "with --config, exit 3 when an SLO was breached over the period"),
        ])

    static func run(_ arguments: [String]) -> Int32 {
        guard let options = spec.read(arguments) else { return ExitStatus.usage }
        guard let format = PeriodSummary.Format(rawValue: options.values["format"] ?? "text") else {
            return spec.usageError("--format must be one of \(PeriodSummary.Format.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var status: Int32 = 0
        guard let source = StoreSource.resolve(options, spec: spec, exitStatus: &status) else { return status }
        let storePath = source.path
        let definitions = source.configuration?.sloDefinitions ?? []
        let failOnBreach = options.flags.contains("fail-on-breach")
        if failOnBreach && source.configuration == nil {
            return spec.usageError("--fail-on-breach needs --config, where the SLOs are")
        }
        var to = Date()
        if let text = options.values["to"] {
            guard let date = Timestamps.parse(text) else { return spec.usageError("--to must be an RFC 3339 time") }
            to = date
        }
        var from: Date
        if let text = options.values["from"] {
            guard options.values["period"] == nil else { return spec.usageError("give --from or --period, not both") }
            guard let date = Timestamps.parse(text) else { return spec.usageError("--from must be an RFC 3339 time") }
            from = date
        } else if let name = options.values["period"], let period = SummaryPeriod(rawValue: name) {
            // The named period that ends before --to (or now).
            (from, to) = period.bounds(now: to)
        } else {
            let period: Double
            do {
                period = try options.positiveDuration("period", example: "1d or 7d, or yesterday, last-week, last-month") ?? 7 * 86_400
            } catch {
                return spec.usageError(error.description)
            }
            from = to.addingTimeInterval(-period)
        }
        guard from < to else { return spec.usageError("the period is empty (--from is not before --to)") }
        guard source.exists(command: "report") else { return ExitStatus.failure }
        do {
            let store = try source.open()
            defer { store.beginClosing() }
            let summaries = try store.summaries(startedFrom: from, to: to, route: options.values["route"])
            var report = PeriodSummary(from: from, to: to, summaries: summaries)
            if format == .html { report.daily = try Self.daily(store, from: from, to: to, route: options.values["route"]) }
            let settled = try store.settledCanaries(since: from, before: to, route: options.values["route"])
            let compliance = SLOCompliance.evaluate(definitions, canaries: settled)
            report.compliance = compliance
            report.unmatched = try store.unmatchedReports(ingestedFrom: from, to: to, route: options.values["route"])
            let text = report.render(format)
            if let output = options.values["output"] {
                do {
                    try text.write(toFile: output, atomically: true, encoding: .utf8)
                } catch {
                    Output.error("lastmile report: cannot write \(output): \(error)")
                    return ExitStatus.failure
                }
            } else {
                Output.write(text)
            }
            let breached = compliance.filter(\.isBreached)
            for result in breached {
                Output.error("SLO breached: \(result.key.slo) on \(result.key.route) × \(result.key.carrier): "
                             + "\(Self.percent(result.ratio ?? 0)) against an objective of \(Self.percent(result.objective)) "
                             + "(\(result.counts.good) good of \(result.counts.total))")
            }
            return failOnBreach && !breached.isEmpty ? ExitStatus.breached : ExitStatus.success
        } catch {
            Output.error("lastmile report: \(storePath): \(error)")
            return ExitStatus.failure
        }
    }

    /// Summaries per UTC day of the period (at most 400 days), for the HTML report's chart.
    static func daily(_ store: CanaryStore, from: Date, to: Date, route: String?) throws -> [(day: Date, summaries: [RouteCarrierSummary])] {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var day = calendar.startOfDay(for: from)
        var days: [(day: Date, summaries: [RouteCarrierSummary])] = []
        while day < to && days.count < 400 {
            let next = calendar.date(byAdding: .day, value: 1, to: day)!
            days.append((day, try store.summaries(startedFrom: max(day, from), to: min(next, to), route: route)))
            day = next
        }
        return days
    }

    static func percent(_ value: Double) -> String { String(format: "%.2f%%", value * 100) }

}

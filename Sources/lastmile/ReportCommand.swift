import Foundation
import LastmileConfig
import LastmileCore
import LastmileProviders
import LastmileStore

/// `lastmile report`: a summary of a period, per route × carrier, for cron.
enum ReportCommand {
    static let usage = """
        usage: lastmile report (--config FILE | --store PATH) [--period 7d | --from TIME [--to TIME]]
                               [--format text|markdown|json|csv|html] [--route NAME]
        """

    static func run(_ arguments: [String]) -> Int32 {
        let options: OptionParser
        do {
            options = try OptionParser(arguments, valued: ["config", "store", "period", "from", "to", "format", "route"])
        } catch {
            Output.error("lastmile report: \(error)\n\(usage)")
            return 2
        }
        guard let format = SummaryReport.Format(rawValue: options.values["format"] ?? "text") else {
            Output.error("lastmile report: --format must be one of \(SummaryReport.Format.allCases.map(\.rawValue).joined(separator: ", "))")
            return 2
        }
        var storePath = options.values["store"]
        if storePath == nil, let config = options.values["config"] {
            let loaded = ConfigLoader.load(path: config)
            guard let configuration = loaded.configuration else {
                for error in loaded.errors { Output.error(error.description) }
                return 1
            }
            storePath = configuration.store.path
        }
        guard let storePath else {
            Output.error(usage)
            return 2
        }
        let now = Date()
        var to = now
        if let text = options.values["to"] {
            guard let date = Timestamps.parse(text) else { Output.error("lastmile report: --to must be an RFC 3339 time"); return 2 }
            to = date
        }
        var from: Date
        if let text = options.values["from"] {
            guard let date = Timestamps.parse(text) else { Output.error("lastmile report: --from must be an RFC 3339 time"); return 2 }
            from = date
        } else {
            guard let period = ConfigDuration.parse(options.values["period"] ?? "7d"), period > 0 else {
                Output.error("lastmile report: --period must be a duration such as 1d or 7d")
                return 2
            }
            from = to.addingTimeInterval(-period)
        }
        guard from < to else { Output.error("lastmile report: the period is empty (--from is not before --to)"); return 2 }
        guard FileManager.default.fileExists(atPath: storePath) else {
            Output.error("lastmile report: no store at \(storePath)")
            return 1
        }
        do {
            let store = try CanaryStore(path: storePath)
            defer { store.close() }
            let summaries = try store.summaries(startedFrom: from, to: to, route: options.values["route"])
            let report = SummaryReport(from: from, to: to, summaries: summaries)
            Output.write(report.render(format))
            return 0
        } catch {
            Output.error("lastmile report: \(storePath): \(error)")
            return 1
        }
    }
}

import Foundation
import LastmileBase

/// Dispatches `lastmile SUBCOMMAND …`.
enum LastmileCommand {
    static let usage = """
        usage: lastmile <command> [options]

        commands:
          demo [--duration D]   the whole system against a simulated network, with a report at the end
          run --config FILE     run the daemon (systemd Type=notify; SIGHUP reloads, SIGTERM stops)
          check --config FILE   validate a configuration and summarise what it will do
          report --store PATH   a summary of a period per route × carrier (text, markdown, json, csv, html)
          rules --config FILE   Prometheus recording and alerting rules for the configured SLOs
          trace --config FILE ID|TOKEN   one canary's whole timeline (--json for the API's shape)
          metrics               every metric family /metrics exports, as a table
          help                  show this text

        """

    static func run(_ arguments: [String]) async -> Int32 {
        guard let command = arguments.first else {
            Output.error(usage)
            return 2
        }
        let rest = Array(arguments.dropFirst())
        switch command {
        case "check":
            return CheckCommand.run(rest)
        case "run":
            return await RunCommand.run(rest)
        case "demo":
            return await DemoCommand.run(rest)
        case "report":
            return ReportCommand.run(rest)
        case "rules":
            return RulesCommand.run(rest)
        case "trace":
            return TraceCommand.run(rest)
        case "metrics":
            return MetricsCommand.run(rest)
        case "version", "--version":
            Output.write("lastmile \(LastmileVersion.current)")
            return 0
        case "help", "--help", "-h":
            Output.write(usage)
            return 0
        default:
            Output.error("lastmile: unknown command \"\(command)\"\n\n" + usage)
            return 2
        }
    }
}

/// Writes to standard output and standard error without buffering surprises.
enum Output {
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}

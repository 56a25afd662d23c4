import Foundation
import LastmileBase

/// Dispatches `lastmile COMMAND …`; `lastmile COMMAND --help` and `lastmile help COMMAND` print
/// the command's help.
enum LastmileCommand {
    /// A command: what it takes, and what runs it.
    struct Entry: Sendable {
        let spec: CommandSpec
        let run: @Sendable ([String]) async -> Int32
    }

    /// Every command, in the order help lists them.
    static let commands: [Entry] = [
        Entry(spec: DemoCommand.spec, run: DemoCommand.run),
        Entry(spec: RunCommand.spec, run: RunCommand.run),
        Entry(spec: CheckCommand.spec, run: CheckCommand.run),
        Entry(spec: ReportCommand.spec, run: ReportCommand.run),
        Entry(spec: RulesCommand.spec, run: RulesCommand.run),
        Entry(spec: TraceCommand.spec, run: TraceCommand.run),
        Entry(spec: MetricsCommand.spec, run: MetricsCommand.run),
        Entry(spec: CompletionCommand.spec, run: CompletionCommand.run),
        Entry(spec: VersionCommand.spec, run: VersionCommand.run),
        Entry(spec: HelpCommand.spec, run: HelpCommand.run),
    ]

    /// `lastmile help`: every command with its one line.
    static var usage: String {
        let width = commands.map(\.spec.name.count).max() ?? 0
        var lines = ["usage: lastmile COMMAND [options]", "", "commands:"]
        for entry in commands {
            lines.append("  " + entry.spec.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + entry.spec.summary)
        }
        lines += ["", "lastmile COMMAND --help shows a command's options.", ExitStatus.summary]
        return lines.joined(separator: "\n") + "\n"
    }

    static func entry(named name: String) -> Entry? { commands.first { $0.spec.name == name } }

    static func run(_ arguments: [String]) async -> Int32 {
        guard let name = arguments.first else {
            Output.error(usage)
            return ExitStatus.usage
        }
        if name == "--help" || name == "-h" {
            Output.write(usage)
            return ExitStatus.success
        }
        if name == "--version" { return VersionCommand.run([]) }
        guard let entry = entry(named: name) else {
            Output.error("lastmile: unknown command \"\(name)\"\n\n" + usage)
            return ExitStatus.usage
        }
        let rest = Array(arguments.dropFirst())
        if CommandSpec.asksForHelp(rest) {
            Output.write(entry.spec.help)
            return ExitStatus.success
        }
        return await entry.run(rest)
    }
}

/// What a command is and takes. Its usage, `--help`, the man page and shell completion are made
/// from it, and so is its option parser: an option a command accepts is an option it documents.
struct CommandSpec: Sendable {
    /// One option: `--name VALUE` when `value` names a placeholder, a flag otherwise.
    struct Option: Sendable {
        let name: String
        let value: String?
        let help: String
        /// The values it takes, when they are few (for shell completion).
        let choices: [String]

        init(_ name: String, _ value: String? = nil, _ help: String, choices: [String] = []) {
            self.name = name
            self.value = value
            self.help = help
            self.choices = choices
        }

        /// Whether its value names a file.
        var takesPath: Bool { value == "FILE" || value == "PATH" }

        var usage: String { value.map { "--\(name) \($0)" } ?? "--\(name)" }
    }

    let name: String
    /// The arguments after the command's name, as the usage line shows them.
    let synopsis: String
    /// One line: what the command does.
    let summary: String
    let options: [Option]
    /// Paragraphs after the options, if any.
    let details: [String]
    /// How many arguments that are not options it takes at most; one more is a usage error, so
    /// a mistyped option (`-fail-on-breach`) is never ignored.
    let maximumArguments: Int

    init(_ name: String, synopsis: String, summary: String, options: [Option], details: [String] = [], maximumArguments: Int = 0) {
        self.name = name
        self.synopsis = synopsis
        self.summary = summary
        self.options = options
        self.details = details
        self.maximumArguments = maximumArguments
    }

    var usage: String { "usage: lastmile \(name)" + (synopsis.isEmpty ? "" : " \(synopsis)") }

    /// `lastmile COMMAND --help`.
    var help: String {
        var lines = [usage, "", summary]
        if !options.isEmpty {
            lines += ["", "options:"]
            let width = options.map(\.usage.count).max() ?? 0
            for option in options {
                lines.append("  " + option.usage.padding(toLength: width + 2, withPad: " ", startingAt: 0) + option.help)
            }
            lines.append("  " + "--help".padding(toLength: width + 2, withPad: " ", startingAt: 0) + "show this text")
        }
        for paragraph in details { lines += ["", paragraph] }
        lines += ["", ExitStatus.summary]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Reads `arguments` with this command's options.
    func parse(_ arguments: [String]) throws(OptionError) -> OptionParser {
        try OptionParser(arguments, valued: Set(options.filter { $0.value != nil }.map(\.name)),
                         flagNames: Set(options.filter { $0.value == nil }.map(\.name)))
    }

    /// Reads `arguments`, or says what was wrong and where help is and returns nil (the caller
    /// exits with `ExitStatus.usage`).
    func read(_ arguments: [String]) -> OptionParser? {
        do {
            let options = try parse(arguments)
            guard options.positional.count <= maximumArguments else {
                let extra = options.positional[maximumArguments]
                _ = usageError(extra.hasPrefix("-") && extra != "-" ? "unknown option \(extra)" : "unexpected argument \"\(extra)\"")
                return nil
            }
            return options
        } catch {
            _ = usageError(error.description)
            return nil
        }
    }

    /// Whether `arguments` ask for help.
    static func asksForHelp(_ arguments: [String]) -> Bool {
        arguments.contains("--help") || arguments.contains("-h")
    }

    /// Says what was wrong with the command line and where help is; returns the usage-error status.
    func usageError(_ problem: String) -> Int32 {
        Output.error("lastmile \(name): \(problem)\n\(usage)\nsee: lastmile \(name) --help")
        return ExitStatus.usage
    }
}

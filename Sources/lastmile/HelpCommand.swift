/// `lastmile help [COMMAND] [--man]`: the list of commands, one command's help, or the manual page.
enum HelpCommand {
    static let spec = CommandSpec(
        "help", synopsis: "[COMMAND] [--man]", summary: "Shows the commands, or one command's options.",
        options: [.init("man", nil, "print the manual page, lastmile(1), in roff")], maximumArguments: 1)

    static func run(_ arguments: [String]) -> Int32 {
        guard let options = spec.read(arguments) else { return ExitStatus.usage }
        if options.flags.contains("man") {
            Output.write(ManPage.render(LastmileCommand.commands.map(\.spec)))
            return ExitStatus.success
        }
        switch options.positional.count {
        case 0:
            Output.write(LastmileCommand.usage)
            return ExitStatus.success
        case 1:
            guard let entry = LastmileCommand.entry(named: options.positional[0]) else {
                return spec.usageError("no command is named \"\(options.positional[0])\"")
            }
            Output.write(entry.spec.help)
            return ExitStatus.success
        default:
            return spec.usageError("name one command")
        }
    }
}

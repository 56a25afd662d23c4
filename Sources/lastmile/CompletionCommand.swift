/// `lastmile completion bash`: a bash completion script for every command and option.
enum CompletionCommand {
    static let spec = CommandSpec(
        "completion", synopsis: "bash",
        summary: "Prints a bash completion script (install it as /usr/share/bash-completion/completions/lastmile).",
        options: [], maximumArguments: 1)

    static func run(_ arguments: [String]) -> Int32 {
        guard let options = spec.read(arguments) else { return ExitStatus.usage }
        guard options.positional == ["bash"] else { return spec.usageError("the one shell it knows is bash") }
        Output.write(BashCompletion.script(LastmileCommand.commands.map(\.spec)))
        return ExitStatus.success
    }
}

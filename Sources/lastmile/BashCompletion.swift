/// The bash completion script, made from the commands' specs.
enum BashCompletion {
    static func script(_ commands: [CommandSpec]) -> String {
        let options = commands.flatMap(\.options)
        let paths = Set(options.filter(\.takesPath).map { "--\($0.name)" }).sorted()
        var choices: [String: [String]] = [:]
        for option in options where !option.choices.isEmpty { choices["--\(option.name)"] = option.choices }
        var lines = [
            "# bash completion for lastmile; made by `lastmile completion bash`",
            "_lastmile() {",
            "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} words",
            "    if [ \"$COMP_CWORD\" -eq 1 ]; then",
            "        COMPREPLY=($(compgen -W \"\(commands.map(\.name).joined(separator: " "))\" -- \"$cur\"))",
            "        return",
            "    fi",
            "    case \"$prev\" in",
            "        \(paths.joined(separator: "|")))",
            "            COMPREPLY=($(compgen -f -- \"$cur\"))",
            "            return",
            "            ;;",
        ]
        for name in choices.keys.sorted() {
            lines += ["        \(name))", "            COMPREPLY=($(compgen -W \"\(choices[name]!.joined(separator: " "))\" -- \"$cur\"))",
                      "            return", "            ;;"]
        }
        lines += ["    esac", "    case \"${COMP_WORDS[1]}\" in"]
        for command in commands {
            let words = command.options.map { "--\($0.name)" } + ["--help"]
                + (command.name == "help" ? commands.map(\.name) : command.name == "completion" ? ["bash"] : [])
            lines.append("        \(command.name)) words=\"\(words.joined(separator: " "))\" ;;")
        }
        lines += [
            "        *) words=\"\" ;;",
            "    esac",
            "    COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))",
            "}",
            "complete -F _lastmile lastmile",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}

import LastmileBase

/// `lastmile version`: the version.
enum VersionCommand {
    static let spec = CommandSpec("version", synopsis: "", summary: "Prints the version.", options: [])

    static func run(_ arguments: [String]) -> Int32 {
        guard let options = spec.read(arguments) else { return ExitStatus.usage }
        guard options.positional.isEmpty else { return spec.usageError("takes no arguments") }
        Output.write("lastmile \(LastmileVersion.current)")
        return ExitStatus.success
    }
}

import LastmileBase

/// `lastmile version`: the version.
enum VersionCommand {
    static let spec = CommandSpec("version", synopsis: "", summary: "Prints the version.", options: [])

    static func run(_ arguments: [String]) -> Int32 {
        guard spec.read(arguments) != nil else { return ExitStatus.usage }
        Output.write("lastmile \(LastmileVersion.current)")
        return ExitStatus.success
    }
}

import LastmileBase

/// `lastmile version`: the version.
enum VersionCommand {
    static let spec = CommandSpec("version", synopsis: "", summary: "Prints the version.", options: [])

    static func run(_ arguments: [String]) -> Int32 {
        do {
            guard try spec.parse(arguments).positional.isEmpty else { return spec.usageError("takes no arguments") }
        } catch {
            return spec.usageError(error.description)
        }
        Output.write("lastmile \(LastmileVersion.current)")
        return ExitStatus.success
    }
}

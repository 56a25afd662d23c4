import LastmileCore

/// `lastmile metrics`: every metric family `/metrics` exports, with its type, labels and meaning.
enum MetricsCommand {
    static let spec = CommandSpec(
        "metrics", synopsis: "",
        summary: "Prints every metric family /metrics exports, with its type, labels and meaning, as a Markdown table.", options: [])

    static func run(_ arguments: [String]) -> Int32 {
        guard let options = spec.read(arguments) else { return ExitStatus.usage }
        guard options.positional.isEmpty else { return spec.usageError("takes no arguments") }
        Output.write(MetricDefinition.catalogueTable)
        return ExitStatus.success
    }
}

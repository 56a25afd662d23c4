import LastmileCore

/// `lastmile metrics`: every metric family `/metrics` exports, with its type, labels and meaning.
enum MetricsCommand {
    static let spec = CommandSpec(
        "metrics", synopsis: "",
        summary: "Prints every metric family /metrics exports, with its type, labels and meaning, as a Markdown table.", options: [])

    static func run(_ arguments: [String]) -> Int32 {
        guard spec.read(arguments) != nil else { return ExitStatus.usage }
        Output.write(MetricDefinition.catalogueTable)
        return ExitStatus.success
    }
}

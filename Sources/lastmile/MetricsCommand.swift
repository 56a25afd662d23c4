import LastmileCore

/// `lastmile metrics`: every metric family `/metrics` exports, with its type, labels and meaning.
enum MetricsCommand {
    static let spec = CommandSpec("metrics", synopsis: "", summary: "Prints every metric family /metrics exports, with its type, labels and meaning, as a Markdown table.",
                                  options: [])

    static func run(_ arguments: [String]) -> Int32 {
        do {
            let options = try spec.parse(arguments)
            guard options.positional.isEmpty else { return spec.usageError("takes no arguments") }
        } catch {
            return spec.usageError(error.description)
        }
        Output.write(MetricDefinition.catalogueTable)
        return 0
    }
}

import LastmileCore

/// `lastmile metrics`: every metric family `/metrics` exports, with its type, labels and meaning.
enum MetricsCommand {
    static let usage = "usage: lastmile metrics"

    static func run(_ arguments: [String]) -> Int32 {
        guard arguments.isEmpty else {
            Output.error("lastmile metrics: takes no options\n\(usage)")
            return 2
        }
        Output.write(MetricDefinition.catalogueTable)
        return 0
    }
}

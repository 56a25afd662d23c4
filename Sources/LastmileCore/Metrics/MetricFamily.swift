/// One metric name with its help, type and samples.
public struct MetricFamily: Sendable {
    public enum Kind: String, Sendable {
        case counter, gauge, histogram, untyped
    }

    public enum Values: Sendable {
        case scalars([MetricLabels: Double])
        case histograms([MetricLabels: Histogram])
    }

    public var name: String
    public var help: String
    public var kind: Kind
    public var values: Values

    public init(name: String, help: String, kind: Kind, values: [MetricLabels: Double]) {
        self.name = name
        self.help = help
        self.kind = kind
        self.values = .scalars(values)
    }

    public init(name: String, help: String, histograms: [MetricLabels: Histogram]) {
        self.name = name
        self.help = help
        self.kind = .histogram
        self.values = .histograms(histograms)
    }
}

/// One metric family as Lastmile exports it: its name, help, type and label names. Every
/// family is defined once, in `MetricDefinition+Catalogue.swift`; the exporter, the seeding of
/// zero series, the generated rules and the README's table all read it from there.
public struct MetricDefinition: Sendable, Hashable {
    public let name: String
    public let help: String
    public let kind: MetricFamily.Kind
    /// Label names, in the order the README lists them.
    public let labels: [String]

    public init(_ name: String, _ kind: MetricFamily.Kind, labels: [String] = [], help: String) {
        self.name = name
        self.help = help
        self.kind = kind
        self.labels = labels
    }

    /// The family with these samples.
    public func family(_ values: [MetricLabels: Double]) -> MetricFamily {
        MetricFamily(name: name, help: help, kind: kind, values: values)
    }

    /// The histogram family with these histograms.
    public func family(histograms: [MetricLabels: Histogram]) -> MetricFamily {
        MetricFamily(name: name, help: help, histograms: histograms)
    }

    /// A PromQL selector of this family: `name{matchers}`, or the bare name without matchers.
    public func selector(_ matchers: String = "") -> String {
        matchers.isEmpty ? name : "\(name){\(matchers)}"
    }
}

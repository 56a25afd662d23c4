import Foundation

/// One observation behind a histogram bucket, named by its labels (`canary_id`), so a slow
/// bucket leads to the canary that landed in it. OpenMetrics exposes it; Prometheus's text
/// format does not.
public struct Exemplar: Hashable, Sendable {
    public var labels: MetricLabels
    public var value: Double
    public var timestamp: Date

    public init(labels: MetricLabels, value: Double = 0, timestamp: Date) {
        self.labels = labels
        self.value = value
        self.timestamp = timestamp
    }
}

/// A cumulative histogram with fixed upper bounds, as Prometheus exposes them.
public struct Histogram: Hashable, Sendable {
    /// Upper bounds, ascending; `+Inf` is implied.
    public let bounds: [Double]
    /// Observations at or below each bound (not cumulative; rendering accumulates).
    public private(set) var bucketCounts: [UInt64]
    public private(set) var count: UInt64 = 0
    public private(set) var sum: Double = 0
    /// The latest observation that carried an exemplar, per bucket (the last one is `+Inf`'s).
    public private(set) var exemplars: [Exemplar?]

    public init(bounds: [Double]) {
        self.bounds = bounds.sorted()
        bucketCounts = Array(repeating: 0, count: bounds.count)
        exemplars = Array(repeating: nil, count: bounds.count + 1)
    }

    /// Counts `value`; with `exemplar`, it becomes the exemplar of the bucket `value` falls in.
    public mutating func observe(_ value: Double, exemplar: Exemplar? = nil) {
        guard value.isFinite else { return }
        count += 1
        sum += value
        let index = bounds.firstIndex(where: { value <= $0 })
        if let index { bucketCounts[index] += 1 }
        if var exemplar {
            exemplar.value = value
            exemplars[index ?? bounds.count] = exemplar
        }
    }

    /// Counts at or below each bound, then the total for `+Inf`.
    public var cumulativeCounts: [UInt64] {
        var running: UInt64 = 0
        return bucketCounts.map { running += $0; return running } + [count]
    }

    /// Seconds from 50 ms to 30 minutes: SMS delivery spans both.
    public static let deliveryBounds: [Double] = [0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1_800]
    /// Seconds for API calls.
    public static let apiBounds: [Double] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
}

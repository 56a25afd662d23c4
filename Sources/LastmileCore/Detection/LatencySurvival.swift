import Foundation

/// How likely a healthy canary is still on its way at a given age, learnt from the latest
/// arrivals of one route × carrier: the larger of the share of recent arrivals that took
/// longer, and a log-normal fitted to them with its spread widened a little, so a tail
/// longer than the sample seen so far is not taken for a loss.
public struct LatencySurvival: Sendable, Hashable {
    /// How many recent latencies are kept.
    public static let capacity = 256
    /// Below this many, no age is evidence: a canary counts only at its deadline.
    public static let minimumSamples = 20

    private var ring: [Double] = []
    private var next = 0
    private var ordered: [Double] = []
    private var logSum = 0.0
    private var logSquares = 0.0

    public init() {}

    public var count: Int { ring.count }

    /// Counts one arrival's latency.
    public mutating func record(_ latency: TimeInterval) {
        let value = max(latency, 0.05)
        if ring.count < Self.capacity {
            ring.append(value)
        } else {
            let old = ring[next]
            ring[next] = value
            next = (next + 1) % Self.capacity
            logSum -= log(old)
            logSquares -= log(old) * log(old)
            if let at = Self.position(of: old, in: ordered) { ordered.remove(at: at) }
        }
        logSum += log(value)
        logSquares += log(value) * log(value)
        ordered.insert(value, at: Self.insertion(of: value, in: ordered))
    }

    /// The chance a healthy canary has not arrived by `age`.
    public func survival(at age: TimeInterval) -> Double {
        guard ring.count >= Self.minimumSamples else { return 1 }
        guard age > 0 else { return 1 }
        let n = Double(ring.count)
        let longer = Double(ordered.count - Self.insertion(of: age, in: ordered, after: true)) / n
        let mean = logSum / n
        let spread = max(0.25, 1.15 * (max(0, logSquares / n - mean * mean)).squareRoot())
        let fitted = 0.5 * erfc((log(age) - mean) / (spread * 2.0.squareRoot()))
        return max(longer, fitted)
    }

    private static func insertion(of value: Double, in sorted: [Double], after: Bool = false) -> Int {
        var low = 0, high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < value || (after && sorted[middle] == value) { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private static func position(of value: Double, in sorted: [Double]) -> Int? {
        let at = insertion(of: value, in: sorted)
        return at < sorted.count && sorted[at] == value ? at : nil
    }
}

import Foundation
import LastmileCore

/// How long something takes, in seconds.
public enum LatencyDistribution: Sendable, Hashable {
    case fixed(Double)
    case uniform(Double, Double)
    /// Log-normal with the given median and spread (σ of the logarithm); most SMS latencies look like this.
    case logNormal(median: Double, sigma: Double)
    /// One of two distributions: the second with probability `rate` (a queue that sometimes backs up).
    indirect case mixture(LatencyDistribution, LatencyDistribution, rate: Double)

    public func sample(using generator: inout SeededRandom) -> Double {
        switch self {
        case .fixed(let value):
            return value
        case .uniform(let low, let high):
            return Double.random(in: low...high, using: &generator)
        case .logNormal(let median, let sigma):
            // Box–Muller for a standard normal.
            let u1 = max(Double.random(in: 0..<1, using: &generator), 1e-12)
            let u2 = Double.random(in: 0..<1, using: &generator)
            let normal = (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
            return median * exp(sigma * normal)
        case .mixture(let first, let second, let rate):
            return generator.chance(rate) ? second.sample(using: &generator) : first.sample(using: &generator)
        }
    }
}

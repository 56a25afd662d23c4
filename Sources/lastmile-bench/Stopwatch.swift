import Foundation

/// Measures elapsed seconds on the monotonic clock.
struct Stopwatch {
    private let start = ContinuousClock.now

    var seconds: Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}

func formatted(_ value: Double, digits: Int = 0) -> String {
    String(format: "%.\(digits)f", value)
}

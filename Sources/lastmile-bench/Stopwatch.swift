import Foundation
import LastmileBase

/// Measures elapsed seconds on the monotonic clock.
struct Stopwatch {
    private let start = ContinuousClock.now

    var seconds: Double { (ContinuousClock.now - start).timeInterval }
}

func formatted(_ value: Double, digits: Int = 0) -> String {
    String(format: "%.\(digits)f", value)
}

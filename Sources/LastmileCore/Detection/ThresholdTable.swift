import Foundation
import Synchronization

/// Thresholds of the detector banks, computed once per healthy rate, jump and run length
/// (each rounded to two significant digits, the healthy rate and run length upward), since an
/// exact run length costs milliseconds and every route × carrier asks at every change.
public final class ThresholdTable: Sendable {
    private struct Key: Hashable {
        var healthy: Double
        var jump: Double
        var runLength: Double
    }

    private let cache = Mutex<[Key: Int]>([:])

    public init() {}

    /// The table shared by every detector of the process.
    public static let shared = ThresholdTable()

    /// `healthy` and `runLength` rounded up to two significant digits.
    public static func roundedUp(_ value: Double) -> Double {
        guard value > 0 else { return value }
        let scale = pow(10, floor(log10(value)) - 1)
        return (value / scale - 1e-9).rounded(.up) * scale
    }

    /// The test for `jump` over `healthy` and its threshold in cells for `runLength` healthy
    /// observations between false signals.
    public func test(healthy: Double, jump: Double, runLength: Double) -> (test: BernoulliCUSUM, thresholdCells: Int) {
        let key = Key(healthy: Self.roundedUp(healthy), jump: jump, runLength: Self.roundedUp(runLength))
        let test = BernoulliCUSUM(healthy: key.healthy, jump: jump)
        if let cells = cache.withLock({ $0[key] }) { return (test, cells) }
        let cells = CUSUMRunLength.thresholdCells(test, healthyRunLength: key.runLength)
        cache.withLock { $0[key] = cells }
        return (test, cells)
    }
}

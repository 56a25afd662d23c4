import Foundation

/// How the sequential detectors are tuned: the false pages the operator accepts, and what is
/// assumed of a healthy route × carrier until its own history says otherwise.
public struct DetectionSettings: Sendable, Hashable {
    /// False pages accepted per route × carrier per year, shared by the bank's tests.
    public var falsePagesPerYear: Double
    /// The lowest healthy loss rate assumed (an estimate below it is taken as it).
    public var healthyFloor: Double
    /// How many canaries' worth of weight the floor has in the healthy estimate.
    public var priorWeight: Double
    /// The loss rates the bank is tuned to find; a jump not above twice the healthy rate is left out.
    public var jumps: [Double]
    /// How far back a healthy estimate looks.
    public var history: TimeInterval
    /// How old an outcome must be before it counts toward the healthy estimate, so a loss that
    /// has just begun cannot raise the rate it is judged against before it is found.
    public var baselineLag: TimeInterval

    public init(falsePagesPerYear: Double = 1, healthyFloor: Double = 0.005, priorWeight: Double = 2_000,
                jumps: [Double] = [0.1, 0.25, 0.9], history: TimeInterval = 7 * 86_400, baselineLag: TimeInterval = 6 * 3_600) {
        self.falsePagesPerYear = falsePagesPerYear
        self.healthyFloor = healthyFloor
        self.priorWeight = priorWeight
        self.jumps = jumps
        self.history = history
        self.baselineLag = baselineLag
    }

    public static let standard = DetectionSettings()

    /// The mean observations between false signals each test of a bank of `tests` must reach,
    /// at `canariesPerHour`. The tests see the same canaries, so their false signals mostly
    /// coincide: each gets the budget ÷ `bankShare(tests)`, not ÷ `tests`
    /// (`lastmile-bench detection` measures the bank's false pages).
    public func healthyRunLength(canariesPerHour: Double, tests: Int) -> Double {
        let perYear = max(canariesPerHour, 0.01) * 8_766
        return perYear * Self.bankShare(tests) / max(falsePagesPerYear, 1e-6)
    }

    /// What the budget of each of `tests` tests is divided by.
    public static func bankShare(_ tests: Int) -> Double { tests > 1 ? 1.5 : 1 }
}

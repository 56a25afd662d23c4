import Foundation

extension SequentialDetector {
    /// At most how many false pages a year a bank tuned by `settings` raises on a stream probed
    /// `canariesPerHour` at the healthy floor: each test's exact false-alarm rate (from its
    /// average run length, in which a healthy canary late enough to look lost may signal before
    /// it arrives), summed, as if their false signals never coincided.
    public static func falsePagesPerYearBound(settings: DetectionSettings, canariesPerHour: Double,
                                              table: ThresholdTable = .shared) -> Double {
        let healthy = ThresholdTable.roundedUp(settings.healthyFloor)
        let jumps = settings.jumps.filter { $0 > 2 * healthy && $0 < 1 }
        let runLength = settings.healthyRunLength(canariesPerHour: canariesPerHour, tests: jumps.count)
        let perYear = canariesPerHour * 8_766
        return jumps.reduce(0) { sum, jump in
            let (test, cells) = table.test(ThresholdTable.Request(healthy: healthy, jump: jump, runLength: runLength))
            return sum + perYear / CUSUMRunLength.averageRunLength(test, thresholdCells: cells, failureRate: test.healthy,
                                                                       countingLateArrivals: true)
        }
    }
}

import Foundation

/// The average run length of a Bernoulli CUSUM — how many observations it takes, on average,
/// to signal — counted exactly on its lattice (Brook and Evans' Markov chain), and the
/// threshold that gives a chosen run length.
///
/// The states are the lattice points below the threshold; a success moves down
/// `successCells` (floored at zero), a failure up `failureCells`. The chain's matrix is banded,
/// so one solve costs the states × the two band widths; thresholds of more than
/// `maximumStates` cells are not searched.
public enum CUSUMRunLength {
    public static let maximumStates = 4_000

    /// Observations until `test` reaches `thresholdCells`, from zero, when failures come at `rate`.
    public static func averageRunLength(_ test: BernoulliCUSUM, thresholdCells count: Int, failureRate rate: Double) -> Double {
        guard count > 0 else { return 1 }
        let lower = test.successCells, upper = test.failureCells
        // Row i of (I − Q) in band storage: column j sits at offset j − i + lower.
        let width = lower + upper + 1
        var band = [Double](repeating: 0, count: count * width)
        for row in 0..<count {
            band[row * width + lower] = 1
            let down = max(0, row - lower)
            band[row * width + down - row + lower] -= 1 - rate
            if row + upper < count { band[row * width + upper + lower] -= rate }
        }
        var solution = [Double](repeating: 1, count: count)
        // Gaussian elimination without pivoting: I − Q of a substochastic chain is an M-matrix.
        for pivot in 0..<count {
            let pivotValue = band[pivot * width + lower]
            guard pivotValue > 0 else { return .infinity }
            for row in (pivot + 1)..<min(count, pivot + lower + 1) {
                let factorIndex = row * width + pivot - row + lower
                let factor = band[factorIndex] / pivotValue
                guard factor != 0 else { continue }
                band[factorIndex] = 0
                for column in (pivot + 1)..<min(count, pivot + upper + 1) {
                    band[row * width + column - row + lower] -= factor * band[pivot * width + column - pivot + lower]
                }
                solution[row] -= factor * solution[pivot]
            }
        }
        for row in stride(from: count - 1, through: 0, by: -1) {
            var sum = solution[row]
            for column in (row + 1)..<min(count, row + upper + 1) {
                sum -= band[row * width + column - row + lower] * solution[column]
            }
            solution[row] = sum / band[row * width + lower]
        }
        return solution[0]
    }

    /// The smallest threshold, in cells, at which `test` on a healthy stream runs at least
    /// `observations` on average before a false signal.
    public static func thresholdCells(_ test: BernoulliCUSUM, healthyRunLength observations: Double) -> Int {
        func enough(_ cells: Int) -> Bool { averageRunLength(test, thresholdCells: cells, failureRate: test.healthy) >= observations }
        var low = 0, high = max(test.failureCells, 1)
        while !enough(high) {
            low = high
            guard high < maximumStates else { return maximumStates }
            high = min(maximumStates, high * 2)
        }
        while high - low > 1 {
            let middle = (low + high) / 2
            if enough(middle) { high = middle } else { low = middle }
        }
        return high
    }
}

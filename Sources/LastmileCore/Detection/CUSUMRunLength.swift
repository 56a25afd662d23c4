import Foundation
import Glibc

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
    /// With `countingLateArrivals`, as the detector counts them: a healthy canary still on its
    /// way past `BernoulliCUSUM.overdueSurvival` carries its overdue evidence until it arrives,
    /// and signals if that lifts the statistic to the threshold (`lateEvidenceChance`).
    public static func averageRunLength(_ test: BernoulliCUSUM, thresholdCells count: Int, failureRate rate: Double,
                                        countingLateArrivals: Bool = false) -> Double {
        let storage = BandStorage.take()
        defer { BandStorage.giveBack(storage) }
        return averageRunLength(test, thresholdCells: count, failureRate: rate, countingLateArrivals: countingLateArrivals, band: storage)
    }

    private static func averageRunLength(_ test: BernoulliCUSUM, thresholdCells count: Int, failureRate rate: Double,
                                         countingLateArrivals: Bool = false, band storage: BandStorage) -> Double {
        guard count > 0 else { return 1 }
        let lower = test.successCells, upper = test.failureCells
        // Row i of (I − Q) in band storage: column j sits at offset j − i + lower.
        let width = lower + upper + 1
        var solution = [Double](repeating: 1, count: count)
        let band = storage.zeroed(count * width)
        let solved = solution.withUnsafeMutableBufferPointer { solution in
            solve(band: band, solution: solution, count: count, lower: lower, upper: upper, rate: rate) { row in
                countingLateArrivals ? test.lateEvidenceChance(reaching: Double(count - row) * test.cell) : 0
            }
        }
        return solved ? solution[0] : .infinity
    }

    /// Unmaps the storage kept for the bands of threshold searches; the next search maps its own.
    /// For a process that has prepared its thresholds and will not search again for a while.
    public static func releaseBandStorage() {
        BandStorage.releaseKept()
    }

    /// Gaussian elimination of the banded system, without pivoting: I − Q of a substochastic
    /// chain is an M-matrix. False when the chain never leaves (a zero pivot). `escape` is the
    /// chance, from a row, that a success signals on its way instead of moving down.
    private static func solve(band: UnsafeMutableBufferPointer<Double>, solution: UnsafeMutableBufferPointer<Double>, count: Int,
                              lower: Int, upper: Int, rate: Double, escape: (Int) -> Double) -> Bool {
        let width = lower + upper + 1
        for row in 0..<count {
            band[row * width + lower] = 1
            let down = max(0, row - lower)
            band[row * width + down - row + lower] -= (1 - rate) * (1 - escape(row))
            if row + upper < count { band[row * width + upper + lower] -= rate }
        }
        for pivot in 0..<count {
            let pivotBase = pivot * width - pivot + lower
            let pivotValue = band[pivotBase + pivot]
            guard pivotValue > 0 else { return false }
            let lastColumn = min(count, pivot + upper + 1)
            for row in (pivot + 1)..<min(count, pivot + lower + 1) {
                let rowBase = row * width - row + lower
                let factor = band[rowBase + pivot] / pivotValue
                guard factor != 0 else { continue }
                band[rowBase + pivot] = 0
                var column = pivot + 1
                while column < lastColumn {
                    band[rowBase + column] -= factor * band[pivotBase + column]
                    column += 1
                }
                solution[row] -= factor * solution[pivot]
            }
        }
        for row in stride(from: count - 1, through: 0, by: -1) {
            let rowBase = row * width - row + lower
            var sum = solution[row]
            var column = row + 1
            let lastColumn = min(count, row + upper + 1)
            while column < lastColumn {
                sum -= band[rowBase + column] * solution[column]
                column += 1
            }
            solution[row] = sum / band[rowBase + row]
        }
        return true
    }

    /// The smallest threshold, in cells, at which `test` on a healthy stream runs at least
    /// `observations` on average before a false signal. `near` is a guess (a neighbouring
    /// test's threshold): the search brackets the answer around it.
    ///
    /// The log of the run length grows almost linearly with the threshold (by about one per
    /// nat), so each guess interpolates it between the bracket's ends; a bisection step keeps
    /// the bracket shrinking when a guess would not. A handful of solves instead of a dozen.
    public static func thresholdCells(_ test: BernoulliCUSUM, healthyRunLength observations: Double, near guess: Int? = nil) -> Int {
        var cache: [Int: Double] = [:]
        let band = BandStorage.take()
        defer { BandStorage.giveBack(band) }
        func logLength(_ cells: Int) -> Double {
            if let known = cache[cells] { return known }
            let value = log(max(averageRunLength(test, thresholdCells: cells, failureRate: test.healthy, band: band), 1))
            cache[cells] = value
            return value
        }
        let target = log(max(observations, 1))
        // low never reaches the target, high does.
        var low = 0, high = max(test.failureCells, 1)
        if let guess, guess > 1, guess < maximumStates {
            var step = 1
            if logLength(guess) >= target {
                high = guess
                low = max(0, guess - step)
                while low > 0, logLength(low) >= target {
                    high = low
                    step *= 2
                    low = max(0, low - step)
                }
            } else {
                low = guess
                high = min(maximumStates, guess + step)
                while logLength(high) < target {
                    guard high < maximumStates else { return maximumStates }
                    low = high
                    step *= 2
                    high = min(maximumStates, high + step)
                }
            }
        }
        while logLength(high) < target {
            guard high < maximumStates else { return maximumStates }
            low = high
            let guess = high + Int(((target - logLength(high)) / test.cell).rounded(.up))
            high = min(maximumStates, max(high + 1, guess))
        }
        var interpolate = true
        while high - low > 1 {
            var guess = (low + high) / 2
            if interpolate, low > 0 {
                let (below, above) = (logLength(low), logLength(high))
                let share = above > below ? (target - below) / (above - below) : 0.5
                guess = min(high - 1, max(low + 1, low + Int((share * Double(high - low)).rounded())))
            }
            let before = high - low
            // A good guess lands next to the answer: its neighbour on the far side closes the bracket.
            if logLength(guess) >= target {
                high = guess
                if guess - 1 > low { if logLength(guess - 1) >= target { high = guess - 1 } else { low = guess - 1 } }
            } else {
                low = guess
                if guess + 1 < high { if logLength(guess + 1) >= target { high = guess + 1 } else { low = guess + 1 } }
            }
            // A guess that did not halve the bracket gives way to halving next time.
            interpolate = (high - low) * 2 <= before
        }
        return high
    }
}

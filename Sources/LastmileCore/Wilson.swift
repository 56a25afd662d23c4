/// The Wilson score interval for a binomial proportion: honest bounds on a rate
/// measured from few events, which is what canary traffic gives.
public enum Wilson {
    /// The lower bound of the interval for `events` out of `trials` at `z` (1.645: one-sided 95 %).
    public static func lowerBound(events: Int, trials: Int, z: Double = 1.645) -> Double {
        guard trials > 0 else { return 0 }
        let n = Double(trials), p = Double(events) / n, z2 = z * z
        let centre = p + z2 / (2 * n)
        let margin = z * ((p * (1 - p) + z2 / (4 * n)) / n).squareRoot()
        return max(0, (centre - margin) / (1 + z2 / n))
    }

    /// The upper bound of the same interval.
    public static func upperBound(events: Int, trials: Int, z: Double = 1.645) -> Double {
        guard trials > 0 else { return 1 }
        let n = Double(trials), p = Double(events) / n, z2 = z * z
        let centre = p + z2 / (2 * n)
        let margin = z * ((p * (1 - p) + z2 / (4 * n)) / n).squareRoot()
        return min(1, (centre + margin) / (1 + z2 / n))
    }
}

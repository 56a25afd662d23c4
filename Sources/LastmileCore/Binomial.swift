import Foundation

/// Exact binomial tail probabilities: is a bad rate really above what an objective allows?
///
/// At canary volumes the normal approximations (Wilson included) are too quick to
/// cry wolf: one loss in ten canaries gives a Wilson lower bound of 2.3 %, above a
/// 99 % objective's 1 %, though a route that truly loses 1 % shows one loss in ten
/// almost one time in ten. The exact test asks that question directly.
public enum Binomial {
    /// P(X ≥ k) for X ~ Binomial(n, p).
    public static func upperTail(atLeast k: Int, trials n: Int, probability p: Double) -> Double {
        guard k > 0 else { return 1 }
        guard k <= n else { return 0 }
        if p <= 0 { return 0 }
        if p >= 1 { return 1 }
        let logP = log(p), logQ = log1p(-p)
        func term(_ i: Int) -> Double { exp(logChoose(n, i) + Double(i) * logP + Double(n - i) * logQ) }
        // Sum the shorter side: canary alerts ask about a few bad events among many.
        if k <= n / 2 {
            var below = 0.0
            for i in 0..<k { below += term(i) }
            return min(1, max(0, 1 - below))
        }
        var total = 0.0
        for i in k...n { total += term(i) }
        return min(1, total)
    }

    /// Whether `k` bad events in `n` show, at `confidence`, a rate above `allowed`: the same
    /// verdict as `lowerBound(…) > allowed`, with one tail sum instead of a search.
    public static func exceeds(_ allowed: Double, events k: Int, trials n: Int, confidence: Double) -> Bool {
        k > 0 && n > 0 && upperTail(atLeast: k, trials: n, probability: allowed) < 1 - confidence
    }

    /// The exact (Clopper–Pearson) one-sided lower confidence bound of the rate, at `confidence`.
    public static func lowerBound(events k: Int, trials n: Int, confidence: Double = 0.95) -> Double {
        guard k > 0, n > 0 else { return 0 }
        let alpha = 1 - confidence
        var low = 0.0, high = Double(k) / Double(n)
        for _ in 0..<60 {
            let middle = (low + high) / 2
            if upperTail(atLeast: k, trials: n, probability: middle) < alpha { low = middle } else { high = middle }
        }
        return low
    }

    /// A lower bound of the rate that needs only arithmetic, for PromQL: the Wilson–Hilferty
    /// approximation of the one-sided Poisson lower limit of the bad count, over the trials,
    /// `k (1 − 1/9k − z/3√k)³ / n`. Treating the bad count as Poisson makes it a little
    /// conservative: where it differs from `lowerBound`'s verdict against a rate, it needs one
    /// more bad event, never one fewer. Zero for zero events.
    public static func poissonLowerBound(events k: Double, trials n: Double, z: Double) -> Double {
        guard k > 0, n > 0 else { return 0 }
        let base = 1 - 1 / (9 * k) - z / (3 * k.squareRoot())
        return base > 0 ? k * base * base * base / n : 0
    }

    /// The one-sided standard normal quantile at `probability` (Abramowitz and Stegun 26.2.23, within 4.5e-4).
    public static func normalQuantile(_ probability: Double) -> Double {
        let t = (-2 * Foundation.log(1 - probability)).squareRoot()
        return t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t)
    }

    static func logChoose(_ n: Int, _ k: Int) -> Double {
        lgamma(Double(n) + 1) - lgamma(Double(k) + 1) - lgamma(Double(n - k) + 1)
    }
}

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
        var total = 0.0
        for i in k...n {
            let logTerm = logChoose(n, i) + Double(i) * logP + Double(n - i) * logQ
            total += exp(logTerm)
        }
        return min(1, total)
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

    static func logChoose(_ n: Int, _ k: Int) -> Double {
        lgamma(Double(n) + 1) - lgamma(Double(k) + 1) - lgamma(Double(n - k) + 1)
    }
}

import Foundation

/// Page's CUSUM for a pass/fail stream: the log-likelihood ratio of a failure rate `jump`
/// against a healthy rate `healthy`, summed and floored at zero, signals once it reaches a
/// threshold. For a given false-alarm rate it is the fastest test there is (Lorden 1971,
/// Moustakides 1986); its delay is about the threshold ÷ the KL divergence of the jump.
///
/// Steps are kept on a lattice of `cell`-sized units (a failure rounded up, a success rounded
/// toward zero), so `CUSUMRunLength` can count its false-alarm rate exactly rather than
/// approximately: the rounding only ever makes the test more cautious.
public struct BernoulliCUSUM: Sendable, Hashable {
    /// The failure rate of a healthy stream.
    public let healthy: Double
    /// The failure rate this test is tuned to find.
    public let jump: Double
    /// The lattice unit, in nats.
    public let cell: Double
    /// One failure, in cells (positive).
    public let failureCells: Int
    /// One success, in cells (positive; it is subtracted).
    public let successCells: Int

    /// The smaller of the two steps spans `resolution` cells.
    public init(healthy: Double, jump: Double, resolution: Int = 12) {
        precondition(healthy > 0 && jump > healthy && jump < 1, "0 < healthy < jump < 1")
        self.healthy = healthy
        self.jump = jump
        let up = log(jump / healthy), down = -log((1 - jump) / (1 - healthy))
        cell = min(up, down) / Double(resolution)
        failureCells = Int((up / cell - 1e-9).rounded(.up))
        successCells = max(1, Int((down / cell + 1e-9).rounded(.down)))
    }

    /// The survival below which a canary not yet arrived starts to count as evidence.
    public static let overdueSurvival = 0.005

    /// What one failure adds (positive).
    public var failureStep: Double { Double(failureCells) * cell }

    /// What one success adds (negative).
    public var successStep: Double { -Double(successCells) * cell }

    /// What a canary not arrived at an age where a healthy arrival would still be pending with
    /// probability `survival` adds: the likelihood ratio of "not here yet" under the two rates,
    /// from 0 (a fresh canary) up to `failureStep` (one past every healthy latency).
    public func overdueStep(survival: Double) -> Double {
        // Before a healthy canary is this unlikely to be still on its way, the tail of healthy
        // latencies would give nearly as many chances to cross as real losses do.
        guard survival <= Self.overdueSurvival else { return 0 }
        let pending = min(max(survival, 0), 1)
        return min(failureStep, max(0, log((jump + (1 - jump) * pending) / (healthy + (1 - healthy) * pending))))
    }

    /// The chance that a healthy canary, late enough on its way, carries `headroom` nats of
    /// overdue evidence or more before it arrives: the survival at which `overdueStep` reaches
    /// `headroom`, since a healthy canary is still on its way at that survival with just that chance.
    /// Zero beyond a failure's worth; at most `overdueSurvival`, below which no age counts.
    public func lateEvidenceChance(reaching headroom: Double) -> Double {
        guard headroom <= failureStep else { return 0 }
        guard headroom > 0 else { return Self.overdueSurvival }
        // overdueStep(s) ≥ headroom ⇔ s ≤ (jump − r·healthy) ÷ (r·(1 − healthy) − (1 − jump)), r = e^headroom.
        let ratio = exp(headroom)
        let survival = (jump - ratio * healthy) / (ratio * (1 - healthy) - (1 - jump))
        return min(Self.overdueSurvival, max(0, survival))
    }

    /// The expected evidence per observation when failures come at `rate` (about the KL
    /// divergence from the healthy rate when `rate` is the jump).
    public func drift(atFailureRate rate: Double) -> Double {
        rate * failureStep + (1 - rate) * successStep
    }
}

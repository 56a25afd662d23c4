import Foundation

/// One multi-window, multi-burn-rate condition: both windows burn at least `factor` times
/// the sustainable rate.
public struct AlertTier: Sendable, Hashable, Codable {
    public var severity: String
    public var long: TimeInterval
    public var short: TimeInterval
    public var factor: Double
    public var enabled: Bool
    /// Confidence of this tier's evidence test; nil: the evaluator's.
    public var confidence: Double?

    public init(severity: String, long: TimeInterval, short: TimeInterval, factor: Double, enabled: Bool = true,
                confidence: Double? = nil) {
        self.severity = severity
        self.long = long
        self.short = short
        self.factor = factor
        self.enabled = enabled
        self.confidence = confidence
    }

    /// DESIGN.md's tiers: page at 1h & 5m over 14.4× and 6h & 30m over 6×; ticket at 1d & 2h over 3× and 3d & 6h over 1×.
    ///
    /// Pages ask for 99.9 % confidence. The same test runs every evaluation on overlapping
    /// windows, so a per-window 95 % lets chance through month after month: at 12 canaries an
    /// hour, a route losing 0.5 % at random (half its allowance) shows two losses within an hour
    /// about twice a month, and at 95 % that pages (`lastmile-bench detection` measures it).
    public static let pageConfidence = 0.999

    public static let standard: [AlertTier] = [
        AlertTier(severity: "page", long: 3_600, short: 300, factor: 14.4, confidence: pageConfidence),
        AlertTier(severity: "page", long: 21_600, short: 1_800, factor: 6, confidence: pageConfidence),
        AlertTier(severity: "ticket", long: 86_400, short: 7_200, factor: 3),
        AlertTier(severity: "ticket", long: 259_200, short: 21_600, factor: 1),
    ]
}

/// A condition met (or no longer met) for one SLO × route × carrier.
public struct AlertFinding: Sendable, Hashable, Codable {
    public var name: AlertName
    public var key: SLOKey
    public var severity: String
    public var tier: AlertTier
    public var badEvents: Int
    public var totalEvents: Int
    public var lowerBound: Double
    public var allowedRate: Double
    /// The receiver blamed (`ReceiverSilent`), or empty.
    public var receiver: String
    /// The sequential evidence, for a page a detector raised.
    public var detection: DetectionEvidence?

    public init(name: AlertName, key: SLOKey, severity: String, tier: AlertTier, badEvents: Int, totalEvents: Int,
                lowerBound: Double, allowedRate: Double, receiver: String = "", detection: DetectionEvidence? = nil) {
        self.receiver = receiver
        self.detection = detection
        self.name = name
        self.key = key
        self.severity = severity
        self.tier = tier
        self.badEvents = badEvents
        self.totalEvents = totalEvents
        self.lowerBound = lowerBound
        self.allowedRate = allowedRate
    }

    public var observedRate: Double { totalEvents > 0 ? Double(badEvents) / Double(totalEvents) : 0 }
}

/// What a sequential detector had when it raised a page.
public struct DetectionEvidence: Sendable, Hashable, Codable {
    /// The loss rate of the test that is furthest past its threshold.
    public var jump: Double
    public var statistic: Double
    public var threshold: Double
    /// The healthy loss rate the test is held against.
    public var healthyRate: Double
    public var since: Date?

    public init(jump: Double, statistic: Double, threshold: Double, healthyRate: Double, since: Date?) {
        self.jump = jump
        self.statistic = statistic
        self.threshold = threshold
        self.healthyRate = healthyRate
        self.since = since
    }
}

/// Decides which alerts fire: a tier's burn rates, and enough evidence that the bad rate
/// really exceeds what the objective allows (at least `minimumEvents` in the long window and
/// an exact binomial lower bound above the allowed rate).
public struct AlertEvaluator: Sendable {
    public var tiers: [AlertTier]
    public var minimumEvents: Int
    public var confidence: Double

    public init(tiers: [AlertTier] = AlertTier.standard, minimumEvents: Int = 10, confidence: Double = 0.95) {
        self.tiers = tiers
        self.minimumEvents = minimumEvents
        self.confidence = confidence
    }

    /// The windows the tiers read, for the tracker.
    public var windows: [TimeInterval] { tiers.flatMap { [$0.long, $0.short] } }

    /// The most severe tier each status meets, if any.
    public func findings(_ statuses: [SLOStatus]) -> [AlertFinding] {
        statuses.compactMap { status in
            for tier in tiers where tier.enabled {
                guard let long = status.windows[tier.long], let longBurn = status.burnRate(over: tier.long),
                      let shortBurn = status.burnRate(over: tier.short),
                      longBurn >= tier.factor, shortBurn >= tier.factor, long.total >= minimumEvents else { continue }
                let level = tier.confidence ?? confidence
                guard Binomial.exceeds(status.definition.allowedRate, events: long.bad, trials: long.total, confidence: level) else { continue }
                let lower = Binomial.lowerBound(events: long.bad, trials: long.total, confidence: level)
                return AlertFinding(name: AlertName(indicator: status.definition.indicator), key: status.key, severity: tier.severity,
                                    tier: tier, badEvents: long.bad, totalEvents: long.total, lowerBound: lower,
                                    allowedRate: status.definition.allowedRate)
            }
            return nil
        }
    }
}

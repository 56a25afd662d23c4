import Foundation

/// How soon the alert tiers page when a route starts losing accepted canaries, and how often
/// they page on a route that does not: the real tracker and evaluator run over simulated time.
///
/// Canaries go out evenly spaced from a phase the seed picks; each is lost with the rate in
/// force when it was sent. A lost canary settles at its deadline, an arrived one
/// `arrivalDelay` after its send, and the evaluator runs every `evaluationInterval`, as the
/// daemon does. The same seed gives the same answer.
public struct DetectionSimulation: Sendable {
    public var evaluator: AlertEvaluator
    /// The accepted-delivery objective the route is held to.
    public var objective: Double
    public var canariesPerHour: Double
    /// How long after its send a canary with no arrival settles as lost.
    public var deadline: TimeInterval
    public var evaluationInterval: TimeInterval
    /// How long after its send an arriving canary settles.
    public var arrivalDelay: TimeInterval

    public init(evaluator: AlertEvaluator = AlertEvaluator(), objective: Double = 0.99, canariesPerHour: Double = 12,
                deadline: TimeInterval = 900, evaluationInterval: TimeInterval = 30, arrivalDelay: TimeInterval = 10) {
        self.evaluator = evaluator
        self.objective = objective
        self.canariesPerHour = canariesPerHour
        self.deadline = deadline
        self.evaluationInterval = evaluationInterval
        self.arrivalDelay = arrivalDelay
    }

    /// Seconds from the moment the loss rate jumps from `baseline` to `lossRate` (after `warmUp`
    /// at the baseline) until the first page; nil when nothing paged within `horizon`.
    public func timeToPage(baseline: Double, lossRate: Double, warmUp: TimeInterval = 86_400, horizon: TimeInterval,
                           seed: UInt64) -> TimeInterval? {
        let onsets = pageOnsets(until: warmUp + horizon, evaluateFrom: warmUp, firstOnly: true, seed: seed) { sentAt in
            sentAt < warmUp ? baseline : lossRate
        }
        return onsets.first.map { $0 - warmUp }
    }

    /// How many separate times a route losing `lossRate` of its accepted canaries, steadily,
    /// pages over `duration` (a page that keeps firing counts once).
    public func pages(lossRate: Double, duration: TimeInterval, seed: UInt64) -> Int {
        pageOnsets(until: duration, evaluateFrom: 0, firstOnly: false, seed: seed) { _ in lossRate }.count
    }

    /// The evaluation times at which a page began (the condition met after an evaluation where it was not).
    private func pageOnsets(until end: TimeInterval, evaluateFrom: TimeInterval, firstOnly: Bool, seed: UInt64,
                            lossRate: (TimeInterval) -> Double) -> [TimeInterval] {
        let slo = SLODefinition(name: "accepted-delivery", indicator: .acceptedDelivery, objective: objective, window: 28 * 86_400)
        var tracker = SLOTracker(definitions: [slo], extraWindows: evaluator.windows)
        var random = SeededRandom(seed: seed)
        let spacing = 3_600 / canariesPerHour
        var nextSend = Double.random(in: 0..<spacing, using: &random)
        // Both queues are in settlement order: each holds settlements a fixed delay after sends.
        var arriving: [TimeInterval] = [], lost: [TimeInterval] = []
        var arrivingHead = 0, lostHead = 0
        var onsets: [TimeInterval] = []
        var paging = false
        var now = 0.0
        // A page needs its short window to burn, so at least one loss settled within it: with no loss
        // that recent, no evaluation can page and none is run (a healthy month is mostly that).
        let pageTiers = evaluator.tiers.filter { $0.enabled && $0.severity == "page" }
        let reach = pageTiers.allSatisfy { $0.factor > 0 } ? (pageTiers.map(\.short).max() ?? 0) : .infinity
        var lastLoss = -Double.infinity
        while now <= end {
            while nextSend <= now {
                if random.chance(lossRate(nextSend)) { lost.append(nextSend + deadline) } else { arriving.append(nextSend + arrivalDelay) }
                nextSend += spacing
            }
            while true {
                let nextArrival = arrivingHead < arriving.count && arriving[arrivingHead] <= now ? arriving[arrivingHead] : nil
                let nextLoss = lostHead < lost.count && lost[lostHead] <= now ? lost[lostHead] : nil
                guard nextArrival != nil || nextLoss != nil else { break }
                let isLoss = nextArrival.map { arrival in nextLoss.map { $0 < arrival } ?? false } ?? true
                let settledAt = isLoss ? lost[lostHead] : arriving[arrivingHead]
                if isLoss { lostHead += 1; lastLoss = settledAt } else { arrivingHead += 1 }
                tracker.record(SettledCanary(route: "route", carrier: "carrier", verdict: isLoss ? .lost : .delivered,
                                             submitOutcome: .accepted, receiptSaidDelivered: false, falseReceipt: false,
                                             settledAt: Date(timeIntervalSince1970: settledAt)))
            }
            if now >= evaluateFrom && now - lastLoss > reach {
                paging = false
            } else if now >= evaluateFrom {
                let pages = evaluator.findings(tracker.statuses(at: Date(timeIntervalSince1970: now))).contains { $0.severity == "page" }
                if pages && !paging {
                    onsets.append(now)
                    if firstOnly { break }
                }
                paging = pages
            }
            now += evaluationInterval
        }
        return onsets
    }
}

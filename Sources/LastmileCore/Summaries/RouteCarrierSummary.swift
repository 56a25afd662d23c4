import Foundation

/// What one route × carrier did over a period: the three sources of truth side by side.
public struct RouteCarrierSummary: Sendable, Hashable {
    public var route: String
    public var carrier: String

    /// Canaries sent.
    public var sent = 0
    // What the API said.
    public var accepted = 0
    public var rejected = 0
    public var apiErrors = 0
    public var unknownSubmits = 0
    // What the receipts said (the strongest final receipt of each canary).
    public var receiptDelivered = 0
    public var receiptFailed = 0
    public var receiptNone = 0
    // What actually happened.
    public var verdicts: [Verdict: Int] = [:]
    public var inFlight = 0
    public var falseReceipts = 0
    public var honestFailures = 0
    public var silences = 0
    public var alteredBodies = 0
    public var alteredSenders = 0
    public var duplicates = 0
    public var arrivalsAfterSettlement = 0
    /// Latencies of arrived canaries, sorted ascending.
    public var latencies: [Double] = []

    public init(route: String, carrier: String) {
        self.route = route
        self.carrier = carrier
    }

    public var settled: Int { verdicts.values.reduce(0, +) }
    public var arrived: Int { (verdicts[.delivered] ?? 0) + (verdicts[.late] ?? 0) }
    public var lost: Int { verdicts[.lost] ?? 0 }
    /// Accepted (or unknown-submit) canaries that settled: the base of the accepted-but-undelivered rate.
    public var acceptedSettled = 0

    /// Delivered on time ÷ settled.
    public var deliveryRate: Double? { settled > 0 ? Double(verdicts[.delivered] ?? 0) / Double(settled) : nil }
    /// Lost ÷ accepted-and-settled: messages the API took that never arrived.
    public var acceptedUndeliveredRate: Double? { acceptedSettled > 0 ? Double(lost) / Double(acceptedSettled) : nil }
    /// Two-sided 95% Wilson interval of the delivery rate; nil with nothing settled.
    public var deliveryInterval: (lower: Double, upper: Double)? {
        settled > 0 ? (Wilson.lowerBound(events: verdicts[.delivered] ?? 0, trials: settled, z: 1.96),
                       Wilson.upperBound(events: verdicts[.delivered] ?? 0, trials: settled, z: 1.96)) : nil
    }

    /// Two-sided 95% Wilson interval of the accepted-but-undelivered rate; nil with nothing accepted and settled.
    public var acceptedUndeliveredInterval: (lower: Double, upper: Double)? {
        acceptedSettled > 0 ? (Wilson.lowerBound(events: lost, trials: acceptedSettled, z: 1.96),
                               Wilson.upperBound(events: lost, trials: acceptedSettled, z: 1.96)) : nil
    }

    /// False receipts ÷ canaries whose receipt said delivered.
    public var falseReceiptRate: Double? { receiptDelivered > 0 ? Double(falseReceipts) / Double(receiptDelivered) : nil }
    /// Arrived within the threshold ÷ arrived.
    public var onTimeRate: Double? { arrived > 0 ? Double(verdicts[.delivered] ?? 0) / Double(arrived) : nil }

    /// The latency at quantile `q` (0…1), nearest rank.
    public func latency(quantile q: Double) -> Double? {
        guard !latencies.isEmpty else { return nil }
        let rank = Int((q * Double(latencies.count)).rounded(.up))
        return latencies[min(max(rank - 1, 0), latencies.count - 1)]
    }

    /// Adds one canary.
    public mutating func add(_ canary: Canary) {
        guard let latency = count(canary) else { return }
        var low = 0, high = latencies.count
        while low < high {
            let middle = (low + high) / 2
            if latencies[middle] <= latency { low = middle + 1 } else { high = middle }
        }
        latencies.insert(latency, at: low)
    }

    /// Counts `canary` in every figure but the latencies; returns its latency when it arrived,
    /// for the caller to place among them.
    mutating func count(_ canary: Canary) -> TimeInterval? {
        sent += 1
        switch canary.submit?.outcome {
        case .accepted?: accepted += 1
        case .rejected?: rejected += 1
        case .error?: apiErrors += 1
        case .unknown?: unknownSubmits += 1
        case nil: break
        }
        switch canary.receiptStatus {
        case .delivered?: receiptDelivered += 1
        case let status? where status.isFailure: receiptFailed += 1
        default: receiptNone += 1
        }
        if let verdict = canary.verdict {
            verdicts[verdict, default: 0] += 1
            if canary.submit?.outcome == .accepted || canary.submit?.outcome == .unknown || canary.submit == nil {
                acceptedSettled += 1
            }
        } else {
            inFlight += 1
        }
        if canary.facts.contains(.falseReceipt) { falseReceipts += 1 }
        if canary.facts.contains(.honestFailure) { honestFailures += 1 }
        if canary.facts.contains(.silence) { silences += 1 }
        if canary.facts.contains(.alteredBody) { alteredBodies += 1 }
        if canary.facts.contains(.alteredSender) { alteredSenders += 1 }
        if canary.facts.contains(.arrivedAfterSettlement) { arrivalsAfterSettlement += 1 }
        duplicates += canary.duplicateCount
        return canary.verdict?.arrived == true ? canary.arrival?.latency : nil
    }
}

/// Summaries of many canaries, one per route × carrier, sorted.
public enum CanarySummaries {
    public static func summarize<S: Sequence>(_ canaries: S) -> [RouteCarrierSummary] where S.Element == Canary {
        var summaries: [String: RouteCarrierSummary] = [:]
        for canary in canaries {
            let key = canary.plan.route + "\u{0}" + canary.plan.carrier
            let latency = summaries[key, default: RouteCarrierSummary(route: canary.plan.route, carrier: canary.plan.carrier)].count(canary)
            if let latency { summaries[key]?.latencies.append(latency) }
        }
        // Sorted once each, not kept sorted canary by canary.
        for key in summaries.keys { summaries[key]?.latencies.sort() }
        return summaries.values.sorted { ($0.route, $0.carrier) < ($1.route, $1.carrier) }
    }
}

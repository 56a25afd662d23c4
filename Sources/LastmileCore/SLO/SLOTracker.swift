import Foundation

/// One configured objective, as the tracker needs it.
public struct SLODefinition: Sendable, Hashable {
    /// The shortest window an SLO or an alert tier may look over: its counts are kept in
    /// buckets of a fraction of it, and a window shorter than this holds no canary.
    public static let shortestWindow: TimeInterval = 1

    public var name: String
    public var indicator: Indicator
    public var objective: Double
    public var window: TimeInterval

    public init(name: String, indicator: Indicator, objective: Double, window: TimeInterval) {
        self.name = name
        self.indicator = indicator
        self.objective = objective
        self.window = window
    }

    /// The bad rate the objective allows.
    public var allowedRate: Double { 1 - objective }
}

/// Which SLO, for which route × carrier.
public struct SLOKey: Sendable, Hashable, Comparable, Codable {
    public var slo: String
    public var route: String
    public var carrier: String

    public init(slo: String, route: String, carrier: String) {
        self.slo = slo
        self.route = route
        self.carrier = carrier
    }

    public static func < (lhs: SLOKey, rhs: SLOKey) -> Bool {
        (lhs.slo, lhs.route, lhs.carrier) < (rhs.slo, rhs.route, rhs.carrier)
    }
}

/// Good and total events.
public struct EventCounts: Sendable, Hashable {
    public var good: Int
    public var total: Int

    public init(good: Int, total: Int) {
        self.good = good
        self.total = total
    }

    public var bad: Int { total - good }
}

/// The state of one SLO for one route × carrier at an instant.
public struct SLOStatus: Sendable, Hashable {
    public var key: SLOKey
    public var definition: SLODefinition
    /// Events per window length in seconds.
    public var windows: [TimeInterval: EventCounts]

    /// Bad ÷ total over `window`; nil with no events (no data is not 0 % nor 100 %).
    public func badRate(over window: TimeInterval) -> Double? {
        guard let counts = windows[window], counts.total > 0 else { return nil }
        return Double(counts.total - counts.good) / Double(counts.total)
    }

    /// How fast the error budget burns over `window`: 1 spends exactly the budget in the SLO window.
    public func burnRate(over window: TimeInterval) -> Double? {
        badRate(over: window).map { $0 / definition.allowedRate }
    }

    /// Share of the SLO window's error budget left (negative once overspent); nil with no data.
    public var budgetRemaining: Double? {
        badRate(over: definition.window).map { 1 - $0 / definition.allowedRate }
    }
}

/// Keeps every SLO's indicator per route × carrier over rolling windows, incrementally:
/// each settled canary is counted once, and reading never rescans the store.
public struct SLOTracker: Sendable {
    /// The standard windows, besides each SLO's own.
    public static let standardWindows: [TimeInterval] = [300, 1_800, 3_600, 7_200, 21_600, 86_400, 259_200]

    public let definitions: [SLODefinition]
    public let windows: [TimeInterval]
    private var counters: [SLOKey: [TimeInterval: RollingCounter]] = [:]
    /// The route × carrier pairs counted, once configured: a canary of any other (one still in
    /// flight after a reload removed its pair, or history a rebuild reads) counts nowhere, as in
    /// the detectors, so a removed pair neither comes back nor pages.
    private var configuredPairs: Set<[String]>?

    public init(definitions: [SLODefinition], extraWindows: [TimeInterval] = []) {
        self.definitions = definitions
        windows = Array(Set(Self.standardWindows + extraWindows + definitions.map(\.window))).sorted()
    }

    /// Whether a settled canary is an event of `indicator`, and a good one.
    public static func event(of canary: SettledCanary, for indicator: Indicator) -> Bool? {
        switch indicator {
        case .delivery:
            return canary.verdict == .delivered
        case .acceptedDelivery:
            guard canary.submitOutcome == nil || canary.submitOutcome == .accepted || canary.submitOutcome == .unknown else { return nil }
            return canary.verdict != .lost
        case .latency:
            guard canary.verdict.arrived else { return nil }
            return canary.verdict == .delivered
        case .receiptHonesty:
            guard canary.receiptSaidDelivered else { return nil }
            return !canary.falseReceipt
        }
    }

    /// Makes the series of a route × carrier exist before any event.
    public mutating func prepare(route: String, carrier: String) {
        for definition in definitions {
            let key = SLOKey(slo: definition.name, route: route, carrier: carrier)
            if counters[key] == nil { counters[key] = Dictionary(uniqueKeysWithValues: windows.map { ($0, RollingCounter(window: $0)) }) }
        }
    }

    /// Counts the route × carrier `pairs` from now on, and only them: their series exist before
    /// any event, and those of every other pair leave `/metrics` (an alert they raised resolves).
    public mutating func configure(pairs: [(route: String, carrier: String)]) {
        let configured = Set(pairs.map { [$0.route, $0.carrier] })
        configuredPairs = configured
        counters = counters.filter { configured.contains([$0.key.route, $0.key.carrier]) }
        for pair in pairs { prepare(route: pair.route, carrier: pair.carrier) }
    }

    private func counts(route: String, carrier: String) -> Bool {
        configuredPairs?.contains([route, carrier]) ?? true
    }

    /// Counts a settled canary, at its settlement time, in every SLO it belongs to.
    public mutating func record(_ canary: Canary) {
        if let settled = SettledCanary(canary) { record(settled) }
    }

    public mutating func record(_ canary: SettledCanary) {
        guard counts(route: canary.route, carrier: canary.carrier) else { return }
        for definition in definitions {
            guard let good = Self.event(of: canary, for: definition.indicator) else { continue }
            let key = SLOKey(slo: definition.name, route: canary.route, carrier: canary.carrier)
            if counters[key] == nil { prepare(route: key.route, carrier: key.carrier) }
            for window in windows { counters[key]?[window]?.add(good: good, at: canary.settledAt) }
        }
    }

    /// Counts a delivered receipt that came after its canary settled (`canary` as it is now), in
    /// the receipt-honesty SLOs only, at `time`: the other indicators counted the canary at its settlement.
    public mutating func recordLateReceipt(_ canary: SettledCanary, at time: Date) {
        guard canary.receiptSaidDelivered, counts(route: canary.route, carrier: canary.carrier) else { return }
        for definition in definitions where definition.indicator == .receiptHonesty {
            let key = SLOKey(slo: definition.name, route: canary.route, carrier: canary.carrier)
            if counters[key] == nil { prepare(route: key.route, carrier: key.carrier) }
            for window in windows { counters[key]?[window]?.add(good: !canary.falseReceipt, at: time) }
        }
    }

    /// Every SLO × route × carrier at `now`, sorted.
    public func statuses(at now: Date) -> [SLOStatus] {
        counters.keys.sorted().compactMap { key in
            guard let definition = definitions.first(where: { $0.name == key.slo }), let byWindow = counters[key] else { return nil }
            return SLOStatus(key: key, definition: definition,
                             windows: byWindow.mapValues { counter in
                                 let counts = counter.counts(at: now)
                                 return EventCounts(good: counts.good, total: counts.total)
                             })
        }
    }
}

/// What the SLOs need of a settled canary (the store can give it without loading the canary).
public struct SettledCanary: Sendable, Hashable {
    public var route: String
    public var carrier: String
    public var verdict: Verdict
    public var submitOutcome: SubmitOutcome?
    public var receiptSaidDelivered: Bool
    public var falseReceipt: Bool
    public var settledAt: Date
    /// The canary's id, where known: a rebuild from the store tells by it which settlements it already counts.
    public var canaryID: String?

    public init(route: String, carrier: String, verdict: Verdict, submitOutcome: SubmitOutcome?, receiptSaidDelivered: Bool,
                falseReceipt: Bool, settledAt: Date, canaryID: String? = nil) {
        self.canaryID = canaryID
        self.route = route
        self.carrier = carrier
        self.verdict = verdict
        self.submitOutcome = submitOutcome
        self.receiptSaidDelivered = receiptSaidDelivered
        self.falseReceipt = falseReceipt
        self.settledAt = settledAt
    }

    public init?(_ canary: Canary) {
        guard let verdict = canary.verdict, let settledAt = canary.settledAt else { return nil }
        self.init(route: canary.plan.route, carrier: canary.plan.carrier, verdict: verdict, submitOutcome: canary.submit?.outcome,
                  receiptSaidDelivered: canary.receiptStatus == .delivered, falseReceipt: canary.facts.contains(.falseReceipt),
                  settledAt: settledAt, canaryID: canary.id)
    }
}

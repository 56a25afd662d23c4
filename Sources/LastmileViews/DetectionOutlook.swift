import Foundation
import LastmileConfig
import LastmileCore

/// How soon the configured alerts would page for each route × carrier, at the rate it is
/// probed, for `lastmile check`: with the sequential detectors (the default), their own
/// simulation over the configuration's rates and deadlines, and the false pages a year their
/// thresholds allow; with `detectors = false`, `DetectionSimulation` run with the
/// configuration's own tiers, evidence test, deadline and accepted-delivery objective.
public struct DetectionOutlook: Sendable {
    /// One route × carrier's outlook.
    public struct Line: Sendable, Hashable {
        public var route: String
        public var carrier: String
        public var canariesPerHour: Double
        /// Median seconds from a total outage to a page; nil when none paged within the horizon.
        public var outage: TimeInterval?
        /// Median seconds from a jump to 10 % loss to a page; nil when none paged within the horizon.
        public var tenPercent: TimeInterval?
        /// At most this many false pages a year at a healthy loss rate (the detectors' bound).
        public var falsePagesPerYear: Double?
    }

    /// The accepted-delivery SLO the outlook is for; nil when none is configured.
    public let slo: SLOConfiguration?
    /// Whether the pages come from the sequential detectors.
    public let sequential: Bool
    public let lines: [Line]
    /// How long each run waited for a page.
    public let horizon: TimeInterval

    /// Simulates each route × carrier over `seeds` runs per loss level.
    public init(_ configuration: LastmileConfiguration, seeds: ClosedRange<UInt64> = 1...15) {
        let objective = configuration.slos.first { $0.indicator == .acceptedDelivery }
        slo = objective
        sequential = configuration.alerting.detectors
        let pageTiers = configuration.alertEvaluator.tiers.filter { $0.enabled && $0.severity == "page" }
        let longest = pageTiers.map(\.long).max() ?? 0
        horizon = sequential ? 12 * 3_600 : 2 * longest
        guard objective != nil, sequential || longest > 0 else {
            lines = []
            return
        }
        var cache: [String: Line] = [:]
        var found: [Line] = []
        for pair in Self.pairs(configuration) {
            let key = "\(pair.perHour)/\(pair.deadline)"
            var line = cache[key] ?? (sequential ? Self.sequentialLine(configuration, pair, horizon: horizon, seeds: seeds)
                                                  : Self.burnRateLine(configuration, pair, warmUp: longest, horizon: horizon, seeds: seeds))
            cache[key] = line
            line.route = pair.route
            line.carrier = pair.carrier
            found.append(line)
        }
        lines = found
    }

    /// A route × carrier at the rate it is probed (thinned by its route's daily cap), with its longest deadline.
    struct ProbedPair {
        var route: String
        var carrier: String
        var perHour: Double
        var deadline: TimeInterval
    }

    static func pairs(_ configuration: LastmileConfiguration) -> [ProbedPair] {
        let receivers = Dictionary(configuration.receivers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var rates: [String: ProbedPair] = [:]
        for probe in configuration.probes where probe.enabled {
            for name in probe.receivers {
                guard let carrier = receivers[name]?.carrier else { continue }
                let key = probe.route + "\u{0}" + carrier
                var entry = rates[key] ?? ProbedPair(route: probe.route, carrier: carrier, perHour: 0, deadline: 0)
                entry.perHour += 3_600 / probe.interval
                entry.deadline = max(entry.deadline, probe.deadline)
                rates[key] = entry
            }
        }
        // A daily cap thins every probe of the route alike.
        let summary = ConfigSummary(configuration)
        return rates.values.sorted { ($0.route, $0.carrier) < ($1.route, $1.carrier) }.map { pair in
            var pair = pair
            if let line = summary.routes.first(where: { $0.route == pair.route }), line.scheduledPerDay > 0 {
                pair.perHour *= line.canariesPerDay / line.scheduledPerDay
            }
            return pair
        }
    }

    static func median(_ times: [TimeInterval?]) -> TimeInterval? {
        let paged = times.compactMap { $0 }.sorted()
        let middle = (times.count - 1) / 2
        return middle < paged.count ? paged[middle] : nil
    }

    static func sequentialLine(_ configuration: LastmileConfiguration, _ pair: ProbedPair, horizon: TimeInterval,
                               seeds: ClosedRange<UInt64>) -> Line {
        var line = Line(route: pair.route, carrier: pair.carrier, canariesPerHour: pair.perHour)
        guard pair.perHour > 0 else { return line }
        let settings = configuration.detectionSettings
        let simulation = SequentialDetectionSimulation(settings: settings, canariesPerHour: pair.perHour, deadline: pair.deadline,
                                                       evaluationInterval: configuration.alerting.evaluationInterval,
                                                       medianLatency: min(4, pair.deadline / 20), p99Latency: min(60, pair.deadline / 4))
        // Long enough to learn the pair's latencies; its healthy estimate is the floor either way
        // (outcomes count toward it only after `baselineLag`).
        let warmUp = min(6 * 3_600, 300 * 3_600 / pair.perHour)
        func median(_ loss: Double) -> TimeInterval? {
            Self.median(seeds.map { simulation.timeToPage(baseline: settings.healthyFloor, lossRate: loss, warmUp: warmUp,
                                                          horizon: horizon, seed: $0) })
        }
        line.outage = median(1)
        line.tenPercent = median(0.1)
        line.falsePagesPerYear = SequentialDetector.falsePagesPerYearBound(settings: settings, canariesPerHour: pair.perHour)
        return line
    }

    static func burnRateLine(_ configuration: LastmileConfiguration, _ pair: ProbedPair, warmUp: TimeInterval, horizon: TimeInterval,
                             seeds: ClosedRange<UInt64>) -> Line {
        var line = Line(route: pair.route, carrier: pair.carrier, canariesPerHour: pair.perHour)
        guard pair.perHour > 0, let slo = configuration.slos.first(where: { $0.indicator == .acceptedDelivery }) else { return line }
        let simulation = DetectionSimulation(evaluator: configuration.alertEvaluator, objective: slo.objective, canariesPerHour: pair.perHour,
                                             deadline: pair.deadline, evaluationInterval: configuration.alerting.evaluationInterval,
                                             arrivalDelay: min(10, pair.deadline / 2))
        func median(_ loss: Double) -> TimeInterval? {
            Self.median(seeds.map { simulation.timeToPage(baseline: 0, lossRate: loss, warmUp: warmUp, horizon: horizon, seed: $0) })
        }
        line.outage = median(1)
        line.tenPercent = median(0.1)
        return line
    }

    /// The outlook as aligned lines of text.
    public var text: String {
        guard let slo else {
            return "alerting: no accepted_delivery SLO, so nothing pages when accepted messages stop arriving"
        }
        guard !lines.isEmpty else { return sequential ? "alerting: no probe sends canaries" : "alerting: no page tier is enabled" }
        let objective = String(format: "%g%%", slo.objective * 100)
        let never = "not within " + CompactDuration.text(horizon)
        var output: [String]
        var header = ["route", "carrier", "canaries/h", "outage", "10% loss"]
        if sequential {
            output = ["alerting: median time to page for \(slo.name) (\(objective)) from the sequential detectors, simulated at these rates "
                      + "and deadlines from a healthy 0.5% loss, and the false pages a year their thresholds allow:"]
            header.append("false pages/year")
        } else {
            output = ["alerting: median time to page for \(slo.name) (\(objective)), simulated with these tiers and deadlines:"]
        }
        let rows = lines.map { line in
            [line.route, line.carrier, String(format: "%g", (line.canariesPerHour * 10).rounded() / 10),
             line.outage.map(Self.duration) ?? never, line.tenPercent.map(Self.duration) ?? never]
                + (sequential ? [line.falsePagesPerYear.map { "≤ " + Self.count($0) } ?? "-"] : [])
        }
        output += TextTable.lines([header] + rows, indent: "  ")
        if sequential {
            let total = lines.compactMap(\.falsePagesPerYear).reduce(0, +)
            output.append("  whole configuration: \(lines.count) route × carrier pair\(lines.count == 1 ? "" : "s"), at most \(Self.count(total)) false pages a year")
        }
        return output.joined(separator: "\n")
    }

    /// Two significant digits, without an exponent.
    static func count(_ value: Double) -> String {
        value >= 10 ? String(format: "%.0f", value) : String(format: "%.2g", value)
    }

    static func duration(_ seconds: TimeInterval) -> String {
        seconds < 120 ? String(format: "%.0fs", seconds)
            : seconds < 7_200 ? String(format: "%.0f min", seconds / 60) : String(format: "%.1f h", seconds / 3_600)
    }
}

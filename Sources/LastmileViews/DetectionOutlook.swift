import Foundation
import LastmileConfig
import LastmileCore

/// How soon the configured alerts would page for each route × carrier, at the rate it is
/// probed: `DetectionSimulation` run with the configuration's own tiers, evidence test,
/// deadline and accepted-delivery objective, for `lastmile check`.
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
    }

    /// The accepted-delivery SLO the outlook is for; nil when none is configured.
    public let slo: SLOConfiguration?
    public let lines: [Line]
    /// How long each run waited for a page.
    public let horizon: TimeInterval

    /// Simulates each route × carrier over `seeds` runs per loss level.
    public init(_ configuration: LastmileConfiguration, seeds: ClosedRange<UInt64> = 1...15) {
        let evaluator = configuration.alertEvaluator
        let pageTiers = evaluator.tiers.filter { $0.enabled && $0.severity == "page" }
        let longest = pageTiers.map(\.long).max() ?? 0
        let horizon = 2 * longest
        let objective = configuration.slos.first { $0.indicator == .acceptedDelivery }
        slo = objective
        self.horizon = horizon
        guard let slo = objective, longest > 0 else {
            lines = []
            return
        }
        let receivers = Dictionary(configuration.receivers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var rates: [String: (route: String, carrier: String, perHour: Double, deadline: TimeInterval)] = [:]
        for probe in configuration.probes where probe.enabled {
            for name in probe.receivers {
                guard let carrier = receivers[name]?.carrier else { continue }
                let key = probe.route + "\u{0}" + carrier
                var entry = rates[key] ?? (probe.route, carrier, 0, 0)
                entry.perHour += 3_600 / probe.interval
                entry.deadline = max(entry.deadline, probe.deadline)
                rates[key] = entry
            }
        }
        // A daily cap thins every probe of the route alike.
        let summary = ConfigSummary(configuration)
        var cache: [String: (TimeInterval?, TimeInterval?)] = [:]
        var found: [Line] = []
        for entry in rates.values.sorted(by: { ($0.route, $0.carrier) < ($1.route, $1.carrier) }) {
            var perHour = entry.perHour
            if let line = summary.routes.first(where: { $0.route == entry.route }), line.scheduledPerDay > 0 {
                perHour *= line.canariesPerDay / line.scheduledPerDay
            }
            let key = "\(perHour)/\(entry.deadline)"
            if cache[key] == nil {
                let simulation = DetectionSimulation(evaluator: evaluator, objective: slo.objective, canariesPerHour: perHour,
                                                     deadline: entry.deadline, evaluationInterval: configuration.alerting.evaluationInterval,
                                                     arrivalDelay: min(10, entry.deadline / 2))
                func median(_ loss: Double) -> TimeInterval? {
                    let times = seeds.map { simulation.timeToPage(baseline: 0, lossRate: loss, warmUp: longest, horizon: horizon, seed: $0) }
                    let paged = times.compactMap { $0 }.sorted()
                    let middle = (times.count - 1) / 2
                    return middle < paged.count ? paged[middle] : nil
                }
                cache[key] = (perHour > 0 ? median(1) : nil, perHour > 0 ? median(0.1) : nil)
            }
            let (outage, tenPercent) = cache[key] ?? (nil, nil)
            found.append(Line(route: entry.route, carrier: entry.carrier, canariesPerHour: perHour, outage: outage, tenPercent: tenPercent))
        }
        lines = found
    }

    /// The outlook as aligned lines of text.
    public var text: String {
        guard let slo else {
            return "alerting: no accepted_delivery SLO, so nothing pages when accepted messages stop arriving"
        }
        guard !lines.isEmpty else { return "alerting: no page tier is enabled" }
        let objective = String(format: "%g%%", slo.objective * 100)
        var output = ["alerting: median time to page for \(slo.name) (\(objective)), simulated with these tiers and deadlines:"]
        let never = "not within " + CompactDuration.text(horizon)
        let header = ["route", "carrier", "canaries/h", "outage", "10% loss"]
        let rows = lines.map { line in
            [line.route, line.carrier, String(format: "%g", (line.canariesPerHour * 10).rounded() / 10),
             line.outage.map(Self.duration) ?? never, line.tenPercent.map(Self.duration) ?? never]
        }
        output += TextTable.lines([header] + rows, indent: "  ")
        return output.joined(separator: "\n")
    }

    static func duration(_ seconds: TimeInterval) -> String {
        seconds < 120 ? String(format: "%.0fs", seconds)
            : seconds < 7_200 ? String(format: "%.0f min", seconds / 60) : String(format: "%.1f h", seconds / 3_600)
    }
}

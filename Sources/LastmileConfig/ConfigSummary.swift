import Foundation
import LastmileCore

/// What a configuration will do, for `lastmile check`: counts, and canaries and cost per route per day.
public struct ConfigSummary: Sendable, Hashable {
    public struct RouteLine: Sendable, Hashable {
        public var route: String
        public var provider: String
        public var probes: Int
        /// Canaries the probes schedule per day, before the cap.
        public var scheduledPerDay: Double
        public var dailyCap: Int?
        /// Canaries actually sent per day (the cap applied).
        public var canariesPerDay: Double { dailyCap.map { min(Double($0), scheduledPerDay) } ?? scheduledPerDay }
        public var pricePerMessage: Double?
        public var currency: String
        public var costPerDay: Double? { pricePerMessage.map { $0 * canariesPerDay } }
    }

    public var routes: [RouteLine]
    public var receiverCount: Int
    public var probeCount: Int
    public var enabledProbeCount: Int
    public var sloCount: Int
    public var notifierCount: Int
    /// Where the canaries are kept, and how instances share it.
    public var store: String

    public init(_ configuration: LastmileConfiguration) {
        routes = configuration.routes.map { route in
            let probes = configuration.probes.filter { $0.route == route.name && $0.enabled }
            let perDay = probes.reduce(0.0) { $0 + Double($1.receivers.count) * 86_400 / $1.interval }
            return RouteLine(route: route.name, provider: route.provider.rawValue, probes: probes.count,
                             scheduledPerDay: perDay, dailyCap: route.dailyCap, pricePerMessage: route.pricePerMessage,
                             currency: route.currency)
        }
        receiverCount = configuration.receivers.count
        probeCount = configuration.probes.count
        enabledProbeCount = configuration.probes.filter(\.enabled).count
        sloCount = configuration.slos.count
        notifierCount = configuration.alerting.notify.count
        if let url = configuration.store.url.map({ URLComponents(string: $0.reveal()) }) {
            let place = "\(url?.host ?? "localhost")\(url?.port.map { ":\($0)" } ?? "")\(url?.path ?? "")"
            store = "store: PostgreSQL at \(place), shared by every instance pointed at it; the leader's lease lasts "
                + "\(CompactDuration.text(configuration.cluster.lease)), so another takes over within that when it dies"
        } else {
            store = "store: SQLite file \(configuration.store.path), this instance's alone"
        }
    }

    /// The summary as a few aligned lines of text.
    public var text: String {
        func plural(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }
        var lines = [
            [plural(routes.count, "route"), plural(receiverCount, "receiver"),
             plural(probeCount, "probe") + (enabledProbeCount < probeCount ? " (\(enabledProbeCount) enabled)" : ""),
             plural(sloCount, "SLO"), plural(notifierCount, "notifier")].joined(separator: ", "),
            store,
        ]
        guard !routes.isEmpty else { return lines.joined(separator: "\n") }
        let header = ["route", "provider", "probes", "canaries/day", "cost/day"]
        let rows = routes.map { line -> [String] in
            var canaries = String(Int(line.canariesPerDay.rounded()))
            if let cap = line.dailyCap, line.scheduledPerDay > Double(cap) {
                canaries += " (capped from \(Int(line.scheduledPerDay.rounded())))"
            }
            let cost = line.costPerDay.map { "\(line.currency) " + String(format: "%.2f", $0) } ?? "-"
            return [line.route, line.provider, String(line.probes), canaries, cost]
        }
        lines += TextTable.lines([header] + rows, indent: "  ")
        let costs = routes.compactMap(\.costPerDay)
        if !costs.isEmpty, Set(routes.filter { $0.costPerDay != nil }.map(\.currency)).count == 1 {
            lines.append("  total cost/day: \(routes.first { $0.costPerDay != nil }!.currency) "
                         + String(format: "%.2f", costs.reduce(0, +)))
        }
        return lines.joined(separator: "\n")
    }
}

import Foundation

/// Whether each SLO × route × carrier met its objective over a period, for reports.
public struct SLOCompliance: Sendable, Hashable {
    public var key: SLOKey
    public var objective: Double
    public var counts: EventCounts

    /// Good ÷ total; nil with no events (no data is not a breach, nor a success).
    public var ratio: Double? { counts.total > 0 ? Double(counts.good) / Double(counts.total) : nil }

    /// True when the period's ratio fell below the objective; false with no data.
    public var isBreached: Bool { ratio.map { $0 < objective } ?? false }

    /// The share of the period's error budget left (negative when overspent); nil with no data.
    public var budgetRemaining: Double? {
        guard let ratio, objective < 1 else { return nil }
        return 1 - (1 - ratio) / (1 - objective)
    }

    /// Counts `canaries` for every definition, per route × carrier, sorted.
    public static func evaluate(_ definitions: [SLODefinition], canaries: [SettledCanary]) -> [SLOCompliance] {
        var counts: [SLOKey: EventCounts] = [:]
        for canary in canaries {
            for definition in definitions {
                guard let good = SLOTracker.event(of: canary, for: definition.indicator) else { continue }
                let key = SLOKey(slo: definition.name, route: canary.route, carrier: canary.carrier)
                counts[key, default: EventCounts(good: 0, total: 0)].total += 1
                if good { counts[key, default: EventCounts(good: 0, total: 0)].good += 1 }
            }
        }
        let objectives = Dictionary(definitions.map { ($0.name, $0.objective) }, uniquingKeysWith: { first, _ in first })
        return counts.keys.sorted().map { key in
            SLOCompliance(key: key, objective: objectives[key.slo] ?? 1, counts: counts[key] ?? EventCounts(good: 0, total: 0))
        }
    }
}

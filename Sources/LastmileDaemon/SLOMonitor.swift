import Foundation
import LastmileCore
import Synchronization

/// The SLOs of the running daemon: fed with every settled canary, read by `/metrics` and the alert loop.
public final class SLOMonitor: Sendable {
    private let tracker: Mutex<SLOTracker>

    public init(definitions: [SLODefinition], extraWindows: [TimeInterval]) {
        tracker = Mutex(SLOTracker(definitions: definitions, extraWindows: extraWindows))
    }

    /// Starts over with new definitions, counting `canaries` again (after a reload changed the SLOs).
    public func replace(definitions: [SLODefinition], extraWindows: [TimeInterval], pairs: [DaemonMetrics.Pair],
                        canaries: [SettledCanary]) {
        var fresh = SLOTracker(definitions: definitions, extraWindows: extraWindows)
        for pair in pairs { fresh.prepare(route: pair.route, carrier: pair.carrier) }
        for canary in canaries { fresh.record(canary) }
        tracker.withLock { $0 = fresh }
    }

    /// The definitions being tracked.
    public var definitions: [SLODefinition] { tracker.withLock { $0.definitions } }

    public func prepare(_ pairs: [DaemonMetrics.Pair]) {
        tracker.withLock { tracker in for pair in pairs { tracker.prepare(route: pair.route, carrier: pair.carrier) } }
    }

    public func record(_ result: CorrelationResult) {
        guard !result.settled.isEmpty else { return }
        let settled = result.settledCanaries
        tracker.withLock { tracker in for canary in settled { tracker.record(canary) } }
    }

    public func record(_ canaries: [SettledCanary]) {
        tracker.withLock { tracker in for canary in canaries { tracker.record(canary) } }
    }

    public func statuses(at now: Date) -> [SLOStatus] { tracker.withLock { $0.statuses(at: now) } }

    /// The longest window kept, for rebuilding from the store.
    public var longestWindow: TimeInterval { tracker.withLock { $0.windows.max() ?? 0 } }

    /// The SLO families: objective, events, budget left and burn rate.
    public func families(at now: Date) -> [MetricFamily] {
        var objective: [MetricLabels: Double] = [:], events: [MetricLabels: Double] = [:]
        var budget: [MetricLabels: Double] = [:], burn: [MetricLabels: Double] = [:]
        for status in statuses(at: now) {
            let base: MetricLabels = ["slo": status.key.slo, "route": status.key.route, "carrier": status.key.carrier]
            objective[base] = status.definition.objective
            budget[base] = status.budgetRemaining ?? .nan
            for (window, counts) in status.windows {
                let label = CompactDuration.text(window)
                events[base.adding("window", label).adding("kind", "good")] = Double(counts.good)
                events[base.adding("window", label).adding("kind", "total")] = Double(counts.total)
                burn[base.adding("window", label)] = status.burnRate(over: window) ?? .nan
            }
        }
        return [
            MetricDefinition.sloObjective.family(objective),
            MetricDefinition.sloEvents.family(events),
            MetricDefinition.sloErrorBudgetRemaining.family(budget),
            MetricDefinition.sloBurnRate.family(burn),
        ]
    }
}

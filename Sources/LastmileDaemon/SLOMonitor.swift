import Foundation
import LastmileCore
import Synchronization

/// The SLOs of the running daemon: fed with every settled canary, read by `/metrics` and the alert loop.
public final class SLOMonitor: Sendable {
    private struct State {
        var tracker: SLOTracker
        /// Settlements recorded since a rebuild began reading the store, which its read may have missed.
        var sinceRebuild: [SettledCanary]?
        /// Late delivered receipts recorded since then, and when.
        var lateSinceRebuild: [(canary: SettledCanary, at: Date)] = []
    }

    private let state: Mutex<State>

    public init(definitions: [SLODefinition], extraWindows: [TimeInterval]) {
        state = Mutex(State(tracker: SLOTracker(definitions: definitions, extraWindows: extraWindows)))
    }

    /// Call before reading the settled canaries a `replace` will count: what settles meanwhile is
    /// kept, so the rebuilt SLOs miss none of it.
    public func beginRebuild() {
        state.withLock { $0.sinceRebuild = $0.sinceRebuild ?? [] }
    }

    /// Stops keeping settlements for a rebuild that will not happen (its read failed).
    public func abandonRebuild() {
        state.withLock { state in
            state.sinceRebuild = nil
            state.lateSinceRebuild = []
        }
    }

    /// Starts over with new definitions, counting `canaries` again (after a reload changed the SLOs),
    /// and any settlement recorded since `beginRebuild` that `canaries` lacks.
    public func replace(definitions: [SLODefinition], extraWindows: [TimeInterval], pairs: [DaemonMetrics.Pair],
                        canaries: [SettledCanary]) {
        var fresh = SLOTracker(definitions: definitions, extraWindows: extraWindows)
        fresh.configure(pairs: pairs.map { ($0.route, $0.carrier) })
        for canary in canaries { fresh.record(canary) }
        let counted = Set(canaries.compactMap(\.canaryID))
        // Unless the read had it already, a late receipt recorded meanwhile counts again.
        let readWithReceipt = Set(canaries.filter(\.receiptSaidDelivered).compactMap(\.canaryID))
        state.withLock { state in
            for canary in state.sinceRebuild ?? [] where canary.canaryID.map({ !counted.contains($0) }) ?? false {
                fresh.record(canary)
            }
            for late in state.lateSinceRebuild where !(late.canary.canaryID.map(readWithReceipt.contains) ?? false) {
                fresh.recordLateReceipt(late.canary, at: late.at)
            }
            state = State(tracker: fresh)
        }
    }

    /// The definitions being tracked.
    public var definitions: [SLODefinition] { state.withLock { $0.tracker.definitions } }

    /// Counts the configured `pairs` from now on, and only them (at start and on reload).
    public func prepare(_ pairs: [DaemonMetrics.Pair]) {
        state.withLock { state in state.tracker.configure(pairs: pairs.map { ($0.route, $0.carrier) }) }
    }

    public func record(_ result: CorrelationResult, at now: Date) {
        let late = result.lateDeliveredReceipts.compactMap(SettledCanary.init)
        if !late.isEmpty {
            state.withLock { state in
                for canary in late {
                    state.tracker.recordLateReceipt(canary, at: now)
                    if state.sinceRebuild != nil { state.lateSinceRebuild.append((canary, now)) }
                }
            }
        }
        guard !result.settled.isEmpty else { return }
        record(result.settledCanaries.compactMap(SettledCanary.init))
    }

    public func record(_ canaries: [SettledCanary]) {
        state.withLock { state in
            for canary in canaries { state.tracker.record(canary) }
            state.sinceRebuild?.append(contentsOf: canaries)
        }
    }

    public func statuses(at now: Date) -> [SLOStatus] { state.withLock { $0.tracker.statuses(at: now) } }

    /// The longest window kept, for rebuilding from the store.
    public var longestWindow: TimeInterval { state.withLock { $0.tracker.windows.max() ?? 0 } }

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

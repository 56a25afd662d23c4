import Foundation
import LastmileConfig
import LastmileCore
import LastmileStore

/// What a leader takes back from the store before it acts: the SLO windows, the detectors'
/// evidence, and the canaries in flight (caught mid-submit ones made unknown submits, overdue
/// ones settled). Done once at start alone on a file, at every takeover on a shared store.
struct StoredState {
    let store: CanaryStore
    let engine: CanaryEngine
    let slo: SLOMonitor
    let detection: DetectionMonitor
    /// Joins what waits in a shared store's inbox.
    let inbox: InboxConsumer

    func load(_ configuration: LastmileConfiguration, pairs: [DaemonMetrics.Pair], at now: Date) async throws -> RecoverySummary {
        // Settled canaries inside the longest window, so SLOs and alerts start where they left off.
        let since = now.addingTimeInterval(-slo.longestWindow)
        slo.beginRebuild()
        let settled: [SettledCanary]
        do {
            settled = try await store.reading { try $0.settledCanaries(since: since) }
        } catch {
            slo.abandonRebuild()
            throw error
        }
        slo.replace(definitions: configuration.sloDefinitions, extraWindows: configuration.alertEvaluator.windows, pairs: pairs,
                    canaries: settled)
        detection.reset(configuration)
        guard store.hasInbox else {
            let summary = try await engine.recover()
            _ = try await engine.assemblePending(at: now)
            return summary
        }
        // Reports that waited in the inbox while no one led may have come before their canary's
        // deadline: joined first, so settling does not call those canaries lost.
        var summary = try await engine.recover(settlingOverdue: false)
        _ = try await engine.assemblePending(at: now)
        try await inbox.releaseHeld()
        try await inbox.drain()
        summary.settled = try await engine.settle(holdingBack: inbox.settlementGrace)
        return summary
    }
}

import Foundation
import LastmileCore
import LastmileStore

extension Daemon {
    /// On a shared store, follows the lease until cancelled: takes over when this instance wins
    /// it (fences the store to its term, takes back the store's state, then acts), and stops
    /// acting at once when it is lost.
    func followLeadership() async {
        guard leadership.isShared else { return }
        var refreshed = ContinuousClock.now - Self.followerRefresh
        while !Task.isCancelled {
            if leadership.currentActingTerm == nil, ContinuousClock.now - refreshed >= Self.followerRefresh {
                refreshed = ContinuousClock.now
                await refreshSLOsFromStore()
            }
            let held = leadership.heldTerm
            if let acting = leadership.currentActingTerm {
                if held != acting {
                    stepDown()
                    logger.warning("no longer leading", [("instance", leadership.holder), ("term", String(acting))])
                } else if leadership.takeResyncRequest() {
                    stepDown()
                    logger.notice("a write failed; taking the store's state back", [("term", String(acting))])
                }
            }
            if let held, leadership.currentActingTerm == nil {
                await transitions.run { await self.takeOver(term: held) }
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        if let acting = leadership.currentActingTerm {
            stepDown()
            logger.notice("leadership given up", [("instance", leadership.holder), ("term", String(acting))])
        }
    }

    private func takeOver(term: Int64) async {
        // Nothing computed from an earlier term's state is written in this one: the engine
        // refuses steps until it has taken the store's state back, and the store refuses writes
        // queued before the fence moved.
        await engine.refuseStepsUntilRecovered()
        store.setFence(LeaseFence(holder: leadership.holder, term: term))
        let now = options.clock.now
        let context = self.context
        do {
            let summary = try await StoredState(store: store, engine: engine, slo: slo, detection: detection, inbox: inbox)
                .load(context.configuration, pairs: context.pairs, at: now)
            try await alerts.restoreFromStore(context.configuration.alerting)
            let startOfDay = SendLimits.startOfDay(now)
            limits.seedSentToday(try await store.reading { try $0.sentCounts(since: startOfDay) }, day: SendLimits.day(of: now))
            guard leadership.heldTerm == term else {
                store.setFence(nil)
                return
            }
            leadership.beginActing(term: term)
            metrics.setLeading(true)
            logger.notice("leading", [("instance", leadership.holder), ("term", String(term)), ("restored", String(summary.restored)),
                                      ("unknown_submits", String(summary.unknownSubmits)), ("settled_on_takeover", String(summary.settled))])
        } catch {
            store.setFence(nil)
            logger.error("takeover failed; trying again", [("term", String(term)), ("error", "\(error)")])
        }
    }

    /// How often an instance that does not lead reads the SLOs' canaries back from the store, for its status page.
    static let followerRefresh = Duration.seconds(60)

    /// Rebuilds the SLO windows from the store's settled canaries, as the leader keeps them.
    private func refreshSLOsFromStore() async {
        let context = self.context
        let since = options.clock.now.addingTimeInterval(-slo.longestWindow)
        slo.beginRebuild()
        guard let settled = try? await store.reading({ try $0.settledCanaries(since: since) }) else {
            slo.abandonRebuild()
            return
        }
        slo.replace(definitions: context.configuration.sloDefinitions, extraWindows: context.configuration.alertEvaluator.windows,
                    pairs: context.pairs, canaries: settled)
    }

    /// Stops acting at once; what the engine holds is taken back at the next takeover.
    private func stepDown() {
        leadership.stopActing()
        metrics.setLeading(false)
        store.setFence(nil)
        alerts.stopNotifying()
    }
}

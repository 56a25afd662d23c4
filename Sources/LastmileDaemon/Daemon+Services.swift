import Foundation
import HTTP
import Synchronization

extension Daemon {
    /// The services, in the order they stop: first nothing new is scheduled, then sends in
    /// flight finish, then the listeners drain, then the loops stop, and last the notifications
    /// those loops sent are let finish.
    func makeServices() -> [[any Service]] {
        let engine = self.engine, logger = self.logger, alerts = self.alerts, leadership = self.leadership, store = self.store
        let spool = SpoolWatcher(intake: intake, logger: logger, clock: options.clock)
        let inbox = self.inbox
        return [
            [LoopService("scheduler") { [scheduler = makeScheduler()] in await scheduler.run() }],
            [DrainService(name: "sends", work: sends, logger: logger)],
            [HTTPService(main: server, admin: adminServer)],
            [
                LoopService("settlement") { [clock = options.clock] in
                    var lastAssembly = ContinuousClock.now
                    while !Task.isCancelled {
                        do {
                            if leadership.isActing {
                                // A shared store's leader steps down and takes over instead (`onCommitFailure`).
                                if !leadership.isShared, try await engine.recoverIfAheadOfStore() {
                                    logger.notice("a write failed; the store's state was taken back")
                                }
                                try await inbox.drain()
                                try await engine.settle(holdingBack: inbox.settlementGrace)
                                // A long message whose last part was stored but whose assembly failed
                                // (a store that did not answer for a moment) is joined here, not left
                                // until the next start.
                                if ContinuousClock.now - lastAssembly >= .seconds(30) {
                                    lastAssembly = ContinuousClock.now
                                    _ = try await engine.assemblePending(at: clock.now)
                                }
                            }
                        } catch {
                            // A leader that has just stepped down (or is stopping) is refused by the fence: not an error.
                            if leadership.isActing { logger.error("settlement not stored; retrying", [("error", "\(error)")]) }
                        }
                        // On a shared store this also joins what other instances took in: sooner.
                        try? await Task.sleep(for: .milliseconds(store.hasInbox ? 100 : 200))
                    }
                },
                LoopService("pruning") { [self] in
                    // Once at start too: a file that reached its size cap while stopped makes room
                    // before the first writes need it, not five minutes later.
                    while !Task.isCancelled {
                        if leadership.isActing { await pruneOnce() }
                        try? await Task.sleep(for: .seconds(300))
                    }
                },
                LoopService("spool") { [self] in await spool.run(context: { [self] in context }) },
                LoopService("alerts") { [self] in await alerts.run(context: { [self] in context }, leading: { leadership.isActing }) },
                LoopService("leadership") { [self] in await followLeadership() },
            ],
            // Undelivered notices wait in the outbox for the next start: only attempts under way finish.
            [DrainService(name: "notifications", work: alerts.notifications, logger: logger, winding: { alerts.stopNotifying(leaving: .nextStart) })],
        ]
    }

    /// The scheduler, which starts each due probe's sends as counted work and pings systemd's watchdog.
    private func makeScheduler() -> Scheduler {
        let sender = CanarySender(engine: engine, limits: limits, client: HTTPClient(), metrics: metrics, logger: logger,
                                  clock: options.clock)
        let notifier = options.notifier
        let watchdog = notifier.watchdogInterval
        let lastPing = Mutex(ContinuousClock.now)
        let sends = self.sends
        return Scheduler(hooks: Scheduler.Hooks(
            context: { [self] in context },
            fire: { [clock = options.clock, leadership] probe, context, lateness in
                // Only the leader sends; the others keep time with it.
                guard leadership.isActing else { return }
                let scheduledAt = clock.now.addingTimeInterval(-lateness)
                for receiver in probe.receivers {
                    sends.spawn { await sender.send(probe: probe, receiverName: receiver, context: context, scheduledAt: scheduledAt) }
                }
            },
            heartbeat: {
                guard let watchdog else { return }
                let due = lastPing.withLock { last -> Bool in
                    guard ContinuousClock.now - last >= watchdog else { return false }
                    last = ContinuousClock.now
                    return true
                }
                if due { notifier.watchdog() }
            }))
    }
}

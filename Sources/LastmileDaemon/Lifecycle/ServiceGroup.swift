import LastmileBase

/// Runs the daemon's services in one task group and stops them in order: each stage is asked
/// to stop only once every service of the stage before has returned, so the scheduler stops
/// before sends drain, and sends drain before the listeners close.
final class ServiceGroup: Sendable {
    private let stages: [[any Service]]
    private let shutdowns: [Shutdown]
    private let finished: [[AsyncLatch]]
    private let logger: Logger

    /// `stages` in the order they stop.
    init(stages: [[any Service]], logger: Logger) {
        self.stages = stages
        self.shutdowns = stages.map { _ in Shutdown() }
        self.finished = stages.map { $0.map { _ in AsyncLatch() } }
        self.logger = logger
    }

    /// Runs every service until each has returned.
    func run() async {
        await withTaskGroup(of: Void.self) { group in
            for (stage, services) in stages.enumerated() {
                for (index, service) in services.enumerated() {
                    let shutdown = shutdowns[stage], done = finished[stage][index]
                    group.addTask {
                        await service.run(until: shutdown)
                        done.open()
                    }
                }
            }
        }
    }

    /// What each service is waited for at least, however late its stage is asked.
    static let leastWait = Duration.milliseconds(250)

    /// Stops the stages in order, all within `grace`; returns when the last has stopped, or once
    /// `overrun` past the grace has gone by. A service still running then (one stuck in a call
    /// that cannot be interrupted: a prune's write, a spool folder on a mount that stopped
    /// answering) is left behind, logged, so the stages after it still stop and the process can
    /// exit before its supervisor kills it. Returns whether every service stopped.
    @discardableResult
    func shutdown(grace: Duration, overrun: Duration = .seconds(5)) async -> Bool {
        let deadline = ContinuousClock.now.advanced(by: grace)
        let giveUpAt = deadline.advanced(by: overrun)
        var everyOneStopped = true
        for (stage, services) in stages.enumerated() {
            shutdowns[stage].request(by: deadline)
            for (index, service) in services.enumerated() {
                // A stage after one that used up the overrun still gets a moment to return.
                let left = max(Self.leastWait, ContinuousClock.now.duration(to: giveUpAt))
                if await finished[stage][index].wait(timeout: left) {
                    logger.debug("service stopped", [("service", service.name)])
                } else {
                    everyOneStopped = false
                    logger.warning("service did not stop in time; stopping without it", [("service", service.name)])
                }
            }
        }
        return everyOneStopped
    }
}

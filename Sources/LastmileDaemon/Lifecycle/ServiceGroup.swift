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

    /// Stops the stages in order, all within `grace`; returns when the last has stopped.
    func shutdown(grace: Duration) async {
        let deadline = ContinuousClock.now.advanced(by: grace)
        for (stage, services) in stages.enumerated() {
            shutdowns[stage].request(by: deadline)
            for (index, service) in services.enumerated() {
                await finished[stage][index].wait()
                logger.debug("service stopped", [("service", service.name)])
            }
        }
    }
}

import LastmileBase

/// A long-running part of the daemon (the HTTP listeners, the scheduler, settlement, …), run
/// by a `ServiceGroup`.
protocol Service: Sendable {
    /// Its name, for the log.
    var name: String { get }
    /// Runs until `shutdown` is requested, then finishes what it must before the shutdown's
    /// deadline and returns.
    func run(until shutdown: Shutdown) async
}

/// A loop that runs until its task is cancelled, as a service: cancelled when shutdown is requested.
struct LoopService: Service {
    let name: String
    let body: @Sendable () async -> Void

    init(_ name: String, _ body: @escaping @Sendable () async -> Void) {
        self.name = name
        self.body = body
    }

    func run(until shutdown: Shutdown) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await body() }
            group.addTask { await shutdown.requested.wait() }
            await group.next()
            group.cancelAll()
        }
    }
}

/// Work that started elsewhere and must be let finish at shutdown (sends, notifications), as a
/// service: at shutdown it takes no more, tells the work to wind down (`winding`), and waits for
/// what is in flight, until the deadline.
struct DrainService: Service {
    let name: String
    let work: InFlightWork
    let logger: Logger
    var winding: @Sendable () -> Void = {}

    func run(until shutdown: Shutdown) async {
        await shutdown.requested.wait()
        work.close()
        winding()
        if !(await work.drained(timeout: shutdown.remaining)) {
            logger.warning("stopping with work still in flight", [("service", name), ("in_flight", String(work.count))])
        }
    }
}

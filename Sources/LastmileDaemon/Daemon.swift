import Foundation
import HTTP
import LastmileBase
import LastmileConfig
import LastmileCore
import LastmileStore
import Synchronization

/// The running Lastmile service: the store, the engine, the HTTP listeners and the loops
/// around them (scheduler, sends, settlement, pruning, spool folders, alerts, notifications),
/// each a service in one `ServiceGroup`, with reload and graceful stop.
///
/// `start` builds the parts (Daemon+Start.swift), `makeServices` the services
/// (Daemon+Services.swift); `reload` swaps in a new configuration (Daemon+Reload.swift).
public final class Daemon: Sendable {
    let options: Options
    let store: CanaryStore
    public let engine: CanaryEngine
    /// Whether this instance leads, on a store several share.
    public let leadership: Leadership
    public let metrics: DaemonMetrics
    /// The SLOs, fed by the engine.
    public let slo: SLOMonitor
    /// The sequential detectors, fed by the engine.
    public let detection: DetectionMonitor
    let alerts: AlertLoop
    let limits = SendLimits()
    /// Reloads and takeovers, one at a time: each reads the configuration, awaits the store, and
    /// applies what it read; interleaved, a takeover could put back what a reload replaced.
    let transitions = SerialGate()
    /// Sends started and not yet answered.
    let sends = InFlightWork()
    let server: HTTPServer
    /// The admin listener, when `admin_listen` is set.
    let adminServer: HTTPServer?
    private let current: Mutex<DaemonContext>
    private let services = Mutex<(group: ServiceGroup, task: Task<Void, Never>)?>(nil)
    private let ready = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)
    /// The port the HTTP listener is bound to.
    public let port: UInt16
    public let listenAddress: ListenAddress
    /// Where metrics and the status page are served, when apart from the hooks.
    public let adminAddress: ListenAddress?
    /// Where reports go: the engine, or the shared inbox.
    var intake: ReportIntake { ReportIntake(engine: engine, store: store, leadership: leadership) }
    /// The leader's side of a shared store's inbox.
    var inbox: InboxConsumer { InboxConsumer(engine: engine, store: store, leadership: leadership, metrics: metrics, logger: logger) }

    init(options: Options, context: DaemonContext, store: CanaryStore, engine: CanaryEngine, metrics: DaemonMetrics,
         slo: SLOMonitor, detection: DetectionMonitor, servers: DaemonServers, leadership: Leadership) {
        self.leadership = leadership
        self.slo = slo
        self.detection = detection
        alerts = AlertLoop(monitor: slo, detection: detection, store: store, logger: options.logger, clock: options.clock,
                           repeatInterval: context.configuration.alerting.repeatInterval,
                           pendingFor: context.configuration.alerting.pendingFor)
        self.options = options
        self.current = Mutex(context)
        self.store = store
        self.engine = engine
        self.metrics = metrics
        self.server = servers.main
        self.adminServer = servers.admin
        self.port = servers.address.port
        self.listenAddress = servers.address
        self.adminAddress = servers.adminAddress
    }

    /// The configuration in force.
    public var context: DaemonContext { current.withLock { $0 } }

    var logger: Logger { options.logger }

    func replaceContext(_ fresh: DaemonContext) {
        current.withLock { $0 = fresh }
    }

    var isReady: Bool {
        ready.load(ordering: .acquiring) && !stopped.load(ordering: .acquiring) && server.failure == nil && adminServer?.failure == nil
    }

    func markReady() {
        ready.store(true, ordering: .releasing)
    }

    var statusLine: String {
        let configuration = context.configuration
        return "probing \(configuration.probes.filter(\.enabled).count) probes over \(configuration.routes.count) routes"
    }

    /// Runs every service in one task group until `stop`.
    func startServices() {
        let group = ServiceGroup(stages: makeServices(), logger: logger)
        let task = Task { await group.run() }
        services.withLock { $0 = (group, task) }
    }

    /// Stops scheduling, lets sends and requests in flight finish (all within `grace` seconds),
    /// stops the loops, settles what is due, and closes the store.
    public func stop(grace: Double = 10) async {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        options.notifier.stopping()
        logger.notice("stopping")
        var everyServiceStopped = true
        if let (group, task) = services.withLock({ $0 }) {
            // A service left behind is not waited for: the process is about to exit.
            everyServiceStopped = await group.shutdown(grace: .seconds(grace))
            if everyServiceStopped { await task.value } else { task.cancel() }
        }
        // On a shared store the next leader settles what is due, once the inbox has caught up. A
        // service left behind may hold the store's writer: nothing more is queued behind it.
        if everyServiceStopped && leadership.isActing && !leadership.isShared {
            do {
                try await engine.settle()
            } catch {
                logger.error("settlement at stop not stored; the next start settles it", [("error", "\(error)")])
            }
        }
        // A leader that stops gives its lease up, so another takes over at once.
        await leadership.elector?.stop(resign: true)
        if everyServiceStopped { await store.close() } else { store.beginClosing() }
        logger.notice("stopped")
    }

    /// Alerts that fired or resolved lately, oldest first.
    public var recentAlerts: [AlertNotice] { alerts.recent }

    /// Canaries whose submit started at or after `since`, newest first.
    public func canaries(since: Date, limit: Int = 10_000) async throws -> [Canary] {
        try await store.reading { try $0.canaries(matching: CanaryQuery(since: since, limit: limit)) }
    }

    /// Per route × carrier summaries of every canary started since `since`, counted by the store.
    public func summaries(since: Date) async throws -> [RouteCarrierSummary] {
        try await store.reading { try $0.summaries(startedFrom: since, to: Date()) }
    }
}

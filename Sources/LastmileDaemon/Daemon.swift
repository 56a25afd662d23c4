import Dispatch
import Foundation
import Glibc
import HTTP
import LastmileConfig
import LastmileCore
import LastmileStore
import Synchronization

/// The running Lastmile service: the store, the engine, the HTTP listener, the
/// scheduler and the settlement loop, with reload and graceful stop.
public final class Daemon: Sendable {
    /// What the daemon is started with.
    public struct Options: Sendable {
        /// Where configurations come from, at start and at each reload.
        public var loadConfiguration: @Sendable () -> ConfigLoadResult
        public var logger: Logger
        public var clock: any WallClock
        public var notifier: SystemdNotifier
        /// Replaces `[server] listen` (the demo and tests use port 0).
        public var listenOverride: ListenAddress?
        /// Replaces `[server] admin_listen`.
        public var adminListenOverride: ListenAddress?
        /// Replaces `[store] path`.
        public var storePathOverride: String?
        public var version: String
        public var correlator: CorrelatorConfiguration
        public var httpLimits: HTTPLimits

        public init(loadConfiguration: @escaping @Sendable () -> ConfigLoadResult, logger: Logger = Logger(),
                    clock: any WallClock = SteadyClock(), notifier: SystemdNotifier = SystemdNotifier(),
                    listenOverride: ListenAddress? = nil, adminListenOverride: ListenAddress? = nil,
                    storePathOverride: String? = nil, version: String = LastmileVersion.current,
                    correlator: CorrelatorConfiguration = CorrelatorConfiguration(), httpLimits: HTTPLimits = HTTPLimits()) {
            self.loadConfiguration = loadConfiguration
            self.logger = logger
            self.clock = clock
            self.notifier = notifier
            self.listenOverride = listenOverride
            self.adminListenOverride = adminListenOverride
            self.storePathOverride = storePathOverride
            self.version = version
            self.correlator = correlator
            self.httpLimits = httpLimits
        }
    }

    /// Why the daemon could not start.
    public enum StartError: Error, CustomStringConvertible {
        case configuration([ConfigDiagnostic])
        case store(String)
        case listen(String)

        public var description: String {
            switch self {
            case .configuration(let diagnostics):
                return diagnostics.filter { $0.severity == .error }.map(\.description).joined(separator: "\n")
            case .store(let reason): return "cannot open the store: \(reason)"
            case .listen(let reason): return "cannot listen: \(reason)"
            }
        }
    }

    let options: Options
    let store: CanaryStore
    public let engine: CanaryEngine
    public let metrics: DaemonMetrics
    /// The SLOs, fed by the engine.
    public let slo: SLOMonitor
    let alerts: AlertLoop
    let limits = SendLimits()
    let server: HTTPServer
    /// The admin listener, when `admin_listen` is set.
    let adminServer: HTTPServer?
    private let current: Mutex<DaemonContext>
    private let tasks = Mutex<[Task<Void, Never>]>([])
    private let ready = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)
    /// The port the HTTP listener is bound to.
    public let port: UInt16
    public let listenAddress: ListenAddress
    /// Where metrics and the status page are served, when apart from the hooks.
    public let adminAddress: ListenAddress?

    private init(options: Options, context: DaemonContext, store: CanaryStore, engine: CanaryEngine, metrics: DaemonMetrics,
                 slo: SLOMonitor, servers: DaemonServers) {
        self.slo = slo
        alerts = AlertLoop(monitor: slo, store: store, logger: options.logger, clock: options.clock,
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

    /// Loads the configuration, opens the store, takes back its canaries, and starts listening and probing.
    public static func start(_ options: Options) async throws(StartError) -> Daemon {
        let loaded = options.loadConfiguration()
        for warning in loaded.warnings { options.logger.warning(warning.message, [("at", "\(warning.file):\(warning.position)")]) }
        guard let configuration = loaded.configuration else { throw .configuration(loaded.diagnostics) }
        let context = DaemonContext(configuration: configuration, loadedAt: options.clock.now)
        let storePath = options.storePathOverride ?? configuration.store.path
        let store: CanaryStore
        do {
            store = try CanaryStore(path: storePath)
            try await store.setMaximumSize(configuration.store.maximumSize)
        } catch {
            throw .store("\(storePath): \(error)")
        }
        let metrics = DaemonMetrics(version: options.version, deliveryBounds: configuration.metrics.deliveryBuckets,
                                    apiBounds: configuration.metrics.apiBuckets)
        metrics.seed(context.pairs)
        metrics.recordReload(successful: true, at: options.clock.now)
        let slo = SLOMonitor(definitions: configuration.sloDefinitions, extraWindows: configuration.alertEvaluator.windows)
        slo.prepare(context.pairs)
        let engine = CanaryEngine(store: store, metrics: metrics, clock: options.clock, configuration: options.correlator, slo: slo)
        await engine.setStoragePolicy(configuration.storagePolicy)
        do {
            // Settled canaries inside the longest window, so SLOs and alerts start where they left off.
            slo.record(try store.settledCanaries(since: options.clock.now.addingTimeInterval(-slo.longestWindow)))
            let summary = try await engine.recover()
            _ = try await engine.assemblePending(at: options.clock.now)
            options.logger.notice("store opened", [("path", storePath), ("restored", String(summary.restored)),
                                                   ("unknown_submits", String(summary.unknownSubmits)),
                                                   ("settled_on_start", String(summary.settled))])
        } catch {
            store.close()
            throw .store("\(storePath): \(error)")
        }
        let servers: DaemonServers
        do {
            servers = try DaemonServers.open(
                main: options.listenOverride ?? configuration.server.listen,
                admin: options.adminListenOverride ?? configuration.server.adminListen,
                limits: options.httpLimits, clock: options.clock, logger: options.logger)
        } catch {
            store.close()
            throw error
        }
        let daemon = Daemon(options: options, context: context, store: store, engine: engine, metrics: metrics, slo: slo,
                            servers: servers)
        daemon.limits.seedSentToday((try? store.sentCounts(since: SendLimits.startOfDay(options.clock.now))) ?? [:],
                                    day: SendLimits.day(of: options.clock.now))
        let alerts = daemon.alerts
        let clock = options.clock
        let routes = DaemonRoutes(engine: engine, store: store, metrics: metrics, logger: options.logger, clock: options.clock,
                                  context: { [daemon] in daemon.context }, isReady: { [daemon] in daemon.isReady },
                                  extraFamilies: { [clock] in slo.families(at: clock.now) + alerts.families() },
                                  sloStatuses: { now in slo.statuses(at: now) }, firingAlerts: { alerts.firing },
                                  pendingAlerts: { alerts.pending })
        servers.install(routes)
        daemon.startLoops()
        daemon.ready.store(true, ordering: .releasing)
        options.logger.notice("listening", [("address", daemon.listenAddress.description),
                                            ("admin", daemon.adminAddress?.description ?? "-"),
                                            ("routes", String(configuration.routes.count)),
                                            ("probes", String(configuration.probes.filter(\.enabled).count))])
        options.notifier.ready(status: daemon.statusLine)
        return daemon
    }

    var isReady: Bool {
        ready.load(ordering: .acquiring) && !stopped.load(ordering: .acquiring) && server.failure == nil && adminServer?.failure == nil
    }

    var statusLine: String {
        let configuration = context.configuration
        return "probing \(configuration.probes.filter(\.enabled).count) probes over \(configuration.routes.count) routes"
    }

    private func startLoops() {
        let sender = CanarySender(engine: engine, limits: limits, client: HTTPClient(), metrics: metrics, logger: logger,
                                  clock: options.clock)
        let notifier = options.notifier
        let watchdog = notifier.watchdogInterval
        let lastPing = Mutex(ContinuousClock.now)
        let scheduler = Scheduler(hooks: Scheduler.Hooks(
            context: { [self] in context },
            fire: { [clock = options.clock] probe, context, lateness in
                let scheduledAt = clock.now.addingTimeInterval(-lateness)
                for receiver in probe.receivers {
                    Task { await sender.send(probe: probe, receiverName: receiver, context: context, scheduledAt: scheduledAt) }
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
        let engine = self.engine
        let logger = self.logger
        let settle = Task {
            while !Task.isCancelled {
                do {
                    try await engine.settle()
                } catch {
                    logger.error("settlement not stored; retrying", [("error", "\(error)")])
                }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        let prune = Task { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(300))
                if Task.isCancelled { break }
                await pruneOnce()
            }
        }
        let spool = SpoolWatcher(engine: engine, logger: logger, clock: options.clock)
        let watch = Task { [self] in await spool.run(context: { [self] in context }) }
        let schedule = Task { await scheduler.run() }
        let alerting = Task { [self] in await alerts.run(context: { [self] in context }) }
        tasks.withLock { $0 = [schedule, settle, prune, watch, alerting] }
    }

    /// Loads the configuration again and swaps it in whole; a bad one leaves the old running.
    @discardableResult
    public func reload() -> Bool {
        options.notifier.reloading()
        let loaded = options.loadConfiguration()
        guard let configuration = loaded.configuration else {
            for error in loaded.errors {
                logger.error("reload failed; keeping the running configuration", [("at", "\(error.file):\(error.position)"),
                                                                                  ("problem", error.message)])
            }
            metrics.recordReload(successful: false, at: options.clock.now)
            options.notifier.ready(status: "reload failed; \(statusLine)")
            return false
        }
        let previous = context.configuration
        if configuration.server.listen != previous.server.listen, options.listenOverride == nil {
            logger.warning("a new listen address takes effect only after a restart", [("listen", configuration.server.listen.description)])
        }
        if configuration.store.path != previous.store.path, options.storePathOverride == nil {
            logger.warning("a new store path takes effect only after a restart", [("path", configuration.store.path)])
        }
        if configuration.store.maximumSize != previous.store.maximumSize {
            let store = self.store
            let size = configuration.store.maximumSize
            Task { try? await store.setMaximumSize(size) }
        }
        let fresh = DaemonContext(configuration: configuration, loadedAt: options.clock.now)
        let engine = self.engine
        let policy = configuration.storagePolicy
        Task { await engine.setStoragePolicy(policy) }
        metrics.seed(fresh.pairs)
        slo.prepare(fresh.pairs)
        if configuration.sloDefinitions != previous.sloDefinitions || configuration.alerting.tiers != previous.alerting.tiers {
            rebuildSLOs(configuration, pairs: fresh.pairs)
        }
        current.withLock { $0 = fresh }
        metrics.recordReload(successful: true, at: options.clock.now)
        logger.notice("configuration reloaded", [("routes", String(configuration.routes.count)),
                                                 ("probes", String(configuration.probes.filter(\.enabled).count))])
        options.notifier.ready(status: statusLine)
        return true
    }

    /// Counts the stored settled canaries again under changed SLO definitions or tiers.
    private func rebuildSLOs(_ configuration: LastmileConfiguration, pairs: [DaemonMetrics.Pair]) {
        let definitions = configuration.sloDefinitions
        let windows = configuration.alertEvaluator.windows
        let longest = (SLOTracker(definitions: definitions, extraWindows: windows).windows.max() ?? 0)
        do {
            let canaries = try store.settledCanaries(since: options.clock.now.addingTimeInterval(-longest))
            slo.replace(definitions: definitions, extraWindows: windows, pairs: pairs, canaries: canaries)
            logger.notice("SLOs rebuilt", [("slos", String(definitions.count)), ("canaries", String(canaries.count))])
        } catch {
            logger.error("SLOs not rebuilt; keeping the previous ones", [("error", "\(error)")])
        }
    }

    /// Stops scheduling, lets sends and requests in flight finish, settles what is due, and closes the store.
    public func stop(grace: Double = 10) async {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        options.notifier.stopping()
        logger.notice("stopping")
        let running = tasks.withLock { $0 }
        running[0].cancel()
        let deadline = ContinuousClock.now.advanced(by: .seconds(grace))
        while limits.inFlightTotal > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let remaining = max(0.5, ContinuousClock.now.duration(to: deadline) / .seconds(1))
        adminServer?.stop(grace: 0.5)
        server.stop(grace: remaining)
        for task in running.dropFirst() { task.cancel() }
        _ = try? await engine.settle()
        store.close()
        logger.notice("stopped")
    }

    /// Serves until SIGTERM or SIGINT (then stops and returns 0); SIGHUP reloads.
    public func runUntilSignalled() async -> Int32 {
        for signalNumber in [SIGTERM, SIGINT, SIGHUP] { signal(signalNumber, SIG_IGN) }
        var sources: [any DispatchSourceSignal] = []
        let signals = AsyncStream<Int32> { continuation in
            for signalNumber in [SIGTERM, SIGINT, SIGHUP] {
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
                source.setEventHandler { continuation.yield(signalNumber) }
                source.resume()
                sources.append(source)
            }
        }
        for await signalNumber in signals {
            if signalNumber == SIGHUP {
                logger.notice("reloading on SIGHUP")
                reload()
                continue
            }
            logger.notice("signal received", [("signal", signalNumber == SIGTERM ? "SIGTERM" : "SIGINT")])
            break
        }
        await stop()
        for source in sources { source.cancel() }
        return 0
    }
}

/// The version reported in `lastmile_build_info` and `lastmile --version`.
public enum LastmileVersion {
    public static let current = "0.1.0"
}

extension Daemon {
    /// Removes what is past its retention: old canaries and reports, unmatched reports and
    /// incomplete message parts past theirs, unreferenced request bodies, old spool `done/` files.
    func pruneOnce() async {
        let store = context.configuration.store
        let now = options.clock.now
        let cutoff = now.addingTimeInterval(-store.retention)
        do {
            let summary = try await self.store.prune(before: cutoff, unmatchedBefore: now.addingTimeInterval(-store.unmatchedRetention))
            logger.info("pruned old rows", [("canaries", String(summary.canaries)), ("receipts", String(summary.receipts)),
                                            ("arrivals", String(summary.arrivals)), ("unmatched", String(summary.unmatched)),
                                            ("parts", String(summary.parts)), ("payloads", String(summary.payloads))])
        } catch {
            logger.error("pruning failed; will retry", [("error", "\(error)")])
        }
        for receiver in context.configuration.receivers where receiver.sourceTraits.isSpool {
            guard let spool = receiver.spool else { continue }
            let removed = SpoolFolder(URL(fileURLWithPath: spool)).pruneDone(before: cutoff)
            if removed > 0 { logger.info("pruned spool files", [("receiver", receiver.name), ("files", String(removed))]) }
        }
    }

    /// Alerts that fired or resolved lately, oldest first.
    public var recentAlerts: [AlertNotice] { alerts.recent }

    /// Canaries whose submit started at or after `since`, newest first.
    public func canaries(since: Date, limit: Int = 10_000) throws -> [Canary] {
        try store.canaries(matching: CanaryQuery(since: since, limit: limit))
    }
}

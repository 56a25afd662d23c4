import Foundation
import HTTP
import LastmileBase
import LastmileConfig
import LastmileCore
import LastmileProviders
import LastmileStore

extension Daemon {
    /// Where start-up's calls that wait on the store run (opening it, migrating it, first reads).
    private static let starting = BlockingQueue(label: "lastmile-start")

    /// How much longer systemd is asked to wait for a start, at each step.
    static let startExtension = Duration.seconds(60)

    /// Logs each hook of `configuration` that will refuse every call, with why (at start and at reload).
    static func warnAboutRefusingHooks(in configuration: LastmileConfiguration, logger: Logger) {
        for refusing in ProviderRegistry.standard.refusingHooks(in: configuration) {
            logger.warning("hook will refuse every call", [("hook", refusing.hook), ("reason", refusing.reason)])
        }
    }

    /// Loads the configuration, opens the store, takes back its canaries, and starts listening and probing.
    public static func start(_ options: Options) async throws(StartError) -> Daemon {
        // Opening the store may migrate it (an index over millions of rows) and take back its
        // canaries: longer, on a big store, than a unit's TimeoutStartSec. Until the daemon is
        // ready, systemd is told every 20 s to wait another minute, so it is not killed and
        // restarted into the same migration.
        options.logger.notice("starting", [("version", LastmileVersion.current)])
        let longerStart = "EXTEND_TIMEOUT_USEC=\(Self.startExtension.wholeMilliseconds * 1_000)"
        options.notifier.send(longerStart)
        let extender = Task { [notifier = options.notifier] in
            while true {
                try? await Task.sleep(for: .seconds(20))
                if Task.isCancelled { break }
                notifier.send(longerStart)
            }
        }
        defer { extender.cancel() }
        if let files = OpenFileLimit.raiseToHardLimit(), files.after != files.before {
            options.logger.info("open file limit raised", [("from", String(files.before)), ("to", String(files.after))])
        }
        let loaded = options.loadConfiguration()
        for warning in loaded.warnings { options.logger.warning(warning.message, [("at", "\(warning.file):\(warning.position)")]) }
        guard let configuration = loaded.configuration else { throw .configuration(loaded.diagnostics) }
        warnAboutRefusingHooks(in: configuration, logger: options.logger)
        let context = DaemonContext(configuration: configuration, loadedAt: options.clock.now)
        let location = options.storePathOverride.map(StoreLocation.init)
            ?? configuration.store.url.map { .postgres(url: $0.reveal()) } ?? .file(configuration.store.path)
        let storePath = location.description
        let store: CanaryStore
        // The size cap comes once the canaries are taken back: recovery writes too (unknown
        // submits, overdue canaries settled), and a file at its cap must still start. Opening
        // waits on the database (connecting; a migration, up to an hour on a shared store), so
        // never on the concurrency pool.
        switch await Self.starting.run({ () -> Result<CanaryStore, any Error> in Result { try CanaryStore(location: location) } }) {
        case .success(let opened): store = opened
        case .failure(let error): throw .store("\(storePath): \(error)")
        }
        let leadership = Leadership.of(location, lease: configuration.cluster.lease)
        let metrics = DaemonMetrics(version: options.version, deliveryBounds: configuration.metrics.deliveryBuckets,
                                    apiBounds: configuration.metrics.apiBuckets)
        metrics.seed(context.pairs)
        metrics.setLeading(!leadership.isShared)
        metrics.recordReload(successful: true, at: options.clock.now)
        let slo = SLOMonitor(definitions: configuration.sloDefinitions, extraWindows: configuration.alertEvaluator.windows)
        slo.prepare(context.pairs)
        let detection = DetectionMonitor(configuration)
        let engine = CanaryEngine(store: store, metrics: metrics, clock: options.clock, configuration: options.correlator, slo: slo,
                                  detection: detection)
        await engine.setStoragePolicy(configuration.storagePolicy)
        if leadership.isShared {
            // A write that failed after its correlation leaves the leader's memory ahead of the
            // store: it takes the store's state back before acting again.
            await engine.onCommitFailure { [leadership] _ in leadership.requestResync() }
        }
        if leadership.isShared {
            // The store's state is taken back when this instance takes the lease.
            options.logger.notice("store opened", [("path", storePath), ("instance", leadership.holder),
                                                   ("lease", CompactDuration.text(configuration.cluster.lease))])
        } else {
            do {
                let summary = try await StoredState(store: store, engine: engine, slo: slo, detection: detection,
                                                  inbox: InboxConsumer(engine: engine, store: store, leadership: leadership, metrics: metrics, logger: options.logger))
                    .load(configuration, pairs: context.pairs, at: options.clock.now)
                options.logger.notice("store opened", [("path", storePath), ("restored", String(summary.restored)),
                                                       ("unknown_submits", String(summary.unknownSubmits)),
                                                       ("settled_on_start", String(summary.settled))])
            } catch {
                await store.close()
                throw .store("\(storePath): \(error)")
            }
        }
        do {
            try await store.setMaximumSize(configuration.store.maximumSize)
        } catch {
            await store.close()
            throw .store("\(storePath): \(error)")
        }
        let servers: DaemonServers
        do {
            servers = try DaemonServers.open(
                main: options.listenOverride ?? configuration.server.listen,
                admin: options.adminListenOverride ?? configuration.server.adminListen,
                limits: options.httpLimits(for: configuration.server), clock: options.clock, logger: options.logger)
        } catch {
            await store.close()
            throw error
        }
        let daemon = Daemon(options: options, context: context, store: store, engine: engine, metrics: metrics, slo: slo,
                            detection: detection, servers: servers, leadership: leadership)
        let startOfDay = SendLimits.startOfDay(options.clock.now)
        daemon.limits.seedSentToday(await Self.starting.run { (try? store.sentCounts(since: startOfDay)) ?? [:] },
                                    day: SendLimits.day(of: options.clock.now))
        let alerts = daemon.alerts
        let clock = options.clock
        let routes = DaemonRoutes(engine: engine, store: store, intake: daemon.intake, metrics: metrics, logger: options.logger, clock: options.clock,
                                  context: { [daemon] in daemon.context }, isReady: { [daemon] in daemon.isReady },
                                  extraFamilies: { [clock] in
                                      slo.families(at: clock.now) + alerts.families() + detection.families() + servers.families()
                                  },
                                  sloStatuses: { now in slo.statuses(at: now) },
                                  // An instance that does not lead shows the leader's alerts, as stored.
                                  alerts: {
                                      if leadership.isActing { return (alerts.firing, alerts.pending) }
                                      return (try? await store.reading { try $0.storedAlerts() }) ?? ([], [])
                                  },
                                  leading: { leadership.isActing })
        servers.install(routes)
        leadership.elector?.start()
        daemon.startServices()
        daemon.markReady()
        options.logger.notice("listening", [("address", daemon.listenAddress.description),
                                            ("admin", daemon.adminAddress?.description ?? "-"),
                                            ("routes", String(configuration.routes.count)),
                                            ("probes", String(configuration.probes.filter(\.enabled).count))])
        options.notifier.ready(status: daemon.statusLine)
        return daemon
    }
}

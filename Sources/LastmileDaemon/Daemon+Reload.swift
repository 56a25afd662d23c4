import Foundation
import LastmileConfig
import LastmileCore

extension Daemon {
    /// Loads the configuration again and swaps it in whole; a bad one leaves the old running.
    @discardableResult
    public func reload() async -> Bool {
        await transitions.run { await self.reloadNow() }
    }

    private func reloadNow() async -> Bool {
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
        Self.warnAboutRefusingHooks(in: configuration, logger: logger)
        if configuration.server.listen != previous.server.listen, options.listenOverride == nil {
            logger.warning("a new listen address takes effect only after a restart", [("listen", configuration.server.listen.description)])
        }
        if configuration.store.path != previous.store.path, options.storePathOverride == nil {
            logger.warning("a new store path takes effect only after a restart", [("path", configuration.store.path)])
        }
        let needingRestart = [
            ("admin_listen", configuration.server.adminListen != previous.server.adminListen && options.adminListenOverride == nil),
            ("max_connections", configuration.server.maximumConnections != previous.server.maximumConnections),
            ("max_connections_per_peer", configuration.server.maximumConnectionsPerPeer != previous.server.maximumConnectionsPerPeer),
            ("store.url", configuration.store.url != previous.store.url),
            ("cluster.lease", configuration.cluster.lease != previous.cluster.lease),
            // The histograms' buckets are fixed when their families are made.
            ("metrics.delivery_buckets", configuration.metrics.deliveryBuckets != previous.metrics.deliveryBuckets),
            ("metrics.api_buckets", configuration.metrics.apiBuckets != previous.metrics.apiBuckets),
        ]
        for (setting, changed) in needingRestart where changed {
            logger.warning("a changed setting takes effect only after a restart", [("setting", setting)])
        }
        // What can fail comes first, so a reload either takes effect whole or not at all.
        var rebuiltSLOs: [SettledCanary]?
        do {
            if configuration.sloDefinitions != previous.sloDefinitions || configuration.alerting.tiers != previous.alerting.tiers {
                slo.beginRebuild()
                rebuiltSLOs = try await settledCanaries(counting: configuration)
            }
            if configuration.store.maximumSize != previous.store.maximumSize {
                try await store.setMaximumSize(configuration.store.maximumSize)
            }
        } catch {
            slo.abandonRebuild()
            logger.error("reload failed; keeping the running configuration", [("problem", "\(error)")])
            metrics.recordReload(successful: false, at: options.clock.now)
            options.notifier.ready(status: "reload failed; \(statusLine)")
            return false
        }
        // Canaries in flight carry the receipt hooks' secrets of before until their deadline at the latest.
        let now = options.clock.now
        let fresh = DaemonContext(configuration: configuration, loadedAt: now).honouring(context, now: now)
        await engine.setStoragePolicy(configuration.storagePolicy)
        metrics.seed(fresh.pairs)
        metrics.forgetGauges(keeping: fresh.pairs)
        slo.prepare(fresh.pairs)
        detection.configure(configuration)
        if let canaries = rebuiltSLOs {
            slo.replace(definitions: configuration.sloDefinitions, extraWindows: configuration.alertEvaluator.windows, pairs: fresh.pairs,
                        canaries: canaries)
            logger.notice("SLOs rebuilt", [("slos", String(configuration.sloDefinitions.count)), ("canaries", String(canaries.count))])
        }
        replaceContext(fresh)
        metrics.recordReload(successful: true, at: options.clock.now)
        logger.notice("configuration reloaded", [("routes", String(configuration.routes.count)),
                                                 ("probes", String(configuration.probes.filter(\.enabled).count))])
        options.notifier.ready(status: statusLine)
        return true
    }

    /// The stored settled canaries that changed SLO definitions or tiers count again, over their longest window.
    private func settledCanaries(counting configuration: LastmileConfiguration) async throws -> [SettledCanary] {
        let windows = configuration.alertEvaluator.windows
        let longest = SLOTracker(definitions: configuration.sloDefinitions, extraWindows: windows).windows.max() ?? 0
        let since = options.clock.now.addingTimeInterval(-longest)
        return try await store.reading { try $0.settledCanaries(since: since) }
    }
}

import Foundation
import LastmileConfig
import LastmileCore

extension Daemon {
    /// Loads the configuration again and swaps it in whole; a bad one leaves the old running.
    @discardableResult
    public func reload() async -> Bool {
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
            do {
                try await store.setMaximumSize(configuration.store.maximumSize)
            } catch {
                logger.error("the store's new maximum size is not applied", [("error", "\(error)")])
            }
        }
        let fresh = DaemonContext(configuration: configuration, loadedAt: options.clock.now)
        await engine.setStoragePolicy(configuration.storagePolicy)
        metrics.seed(fresh.pairs)
        slo.prepare(fresh.pairs)
        detection.configure(configuration)
        if configuration.sloDefinitions != previous.sloDefinitions || configuration.alerting.tiers != previous.alerting.tiers {
            await rebuildSLOs(configuration, pairs: fresh.pairs)
        }
        replaceContext(fresh)
        metrics.recordReload(successful: true, at: options.clock.now)
        logger.notice("configuration reloaded", [("routes", String(configuration.routes.count)),
                                                 ("probes", String(configuration.probes.filter(\.enabled).count))])
        options.notifier.ready(status: statusLine)
        return true
    }

    /// Counts the stored settled canaries again under changed SLO definitions or tiers.
    private func rebuildSLOs(_ configuration: LastmileConfiguration, pairs: [DaemonMetrics.Pair]) async {
        let definitions = configuration.sloDefinitions
        let windows = configuration.alertEvaluator.windows
        let longest = (SLOTracker(definitions: definitions, extraWindows: windows).windows.max() ?? 0)
        do {
            let since = options.clock.now.addingTimeInterval(-longest)
            let canaries = try await store.reading { try $0.settledCanaries(since: since) }
            slo.replace(definitions: definitions, extraWindows: windows, pairs: pairs, canaries: canaries)
            logger.notice("SLOs rebuilt", [("slos", String(definitions.count)), ("canaries", String(canaries.count))])
        } catch {
            logger.error("SLOs not rebuilt; keeping the previous ones", [("error", "\(error)")])
        }
    }
}

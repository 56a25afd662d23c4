import Foundation
import HTTP
import LastmileBase
import LastmileConfig
import LastmileCore
import LastmileProviders
import LastmileTestSupport
import Testing
@testable import LastmileDaemon

/// Every family the daemon exports is in the catalogue, with the catalogue's type and labels,
/// and README's table is the catalogue's.
@Suite struct MetricCatalogueTests {
    @Test func readmeListsTheCatalogue() throws {
        let readme = try String(contentsOf: BuiltProducts.projectRoot.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains(MetricDefinition.catalogueTable + "\n<!-- end of metrics table -->"),
                "README's metrics table differs from `lastmile metrics`")
    }

    @Test func exportedFamiliesAreTheCataloguesWithItsLabels() async throws {
        let path = BuiltProducts.projectRoot.appendingPathComponent("alerts/slos.toml").path
        let loaded = ConfigLoader.load(path: path, catalogue: .standard, environment: [:])
        let configuration = try #require(loaded.configuration, "\(loaded.diagnostics)")
        let pairs = DaemonContext(configuration: configuration, loadedAt: Date()).pairs
        #expect(!pairs.isEmpty)
        let metrics = DaemonMetrics(version: "test")
        metrics.seed(pairs)
        metrics.recordReload(successful: true, at: Date())
        let slo = SLOMonitor(definitions: configuration.sloDefinitions, extraWindows: configuration.alertEvaluator.windows)
        slo.prepare(pairs)
        let detection = DetectionMonitor(configuration)
        // The first evaluation computes thresholds, seconds in a debug build: not on the concurrency pool.
        _ = await offThePool { detection.evaluate(at: Date()) }
        let servers = try DaemonServers.open(main: ListenAddress(host: "127.0.0.1", port: 0, isIPv6: false),
                                             admin: ListenAddress(host: "127.0.0.1", port: 0, isIPv6: false),
                                             limits: HTTPLimits(), clock: SteadyClock(), logger: Logger(minimum: .error))
        defer {
            servers.main.close()
            servers.admin?.close()
        }
        let families = (metrics.families() + slo.families(at: Date()) + detection.families() + servers.families())
            .filter { $0.name.hasPrefix("lastmile_") }
        let catalogue = Dictionary(uniqueKeysWithValues: MetricDefinition.catalogue.map { ($0.name, $0) })
        #expect(catalogue.count == MetricDefinition.catalogue.count, "a name is in the catalogue twice")
        for family in families {
            let definition = try #require(catalogue[family.name], "\(family.name) is exported but not in the catalogue")
            #expect(family.kind == definition.kind, "\(family.name)")
            #expect(family.help == definition.help, "\(family.name)")
            let labelSets: [Set<String>]
            switch family.values {
            case .scalars(let values): labelSets = values.keys.map { Set($0.pairs.map(\.name)) }
            case .histograms(let histograms): labelSets = histograms.keys.map { Set($0.pairs.map(\.name)) }
            }
            #expect(!labelSets.isEmpty, "\(family.name) has no series at start")
            for labels in labelSets {
                #expect(labels == Set(definition.labels), "\(family.name): \(labels.sorted()) ≠ \(definition.labels)")
            }
        }
        let exported = Set(families.map(\.name))
        let neverSeeded = MetricDefinition.catalogue.map(\.name).filter { !exported.contains($0) }
        // Only these start empty: nothing fires before the first evaluation, notifiers have their
        // series from it on, and a webhook's series are per answer code, which exist once requests come.
        #expect(Set(neverSeeded) == [MetricDefinition.alertsFiring.name, MetricDefinition.alertsPending.name,
                                     MetricDefinition.alertNotificationsWaiting.name, MetricDefinition.webhookRequests.name],
                "\(neverSeeded)")
    }
}

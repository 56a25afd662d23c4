import Foundation
import LastmileBase
import LastmileConfig
import LastmileCore
import LastmileTestSupport
import Synchronization
import Testing
@testable import LastmileDaemon
@testable import LastmileStore

/// A reload takes effect whole or not at all.
@Suite struct ReloadTests {
    static func config(objective: Double) -> String {
        EndToEndTests.config(providerPort: 1, interval: "1h", extra: """

            [[slo]]
            name = "accepted-delivery"
            indicator = "accepted_delivery"
            objective = \(objective)
            window = "1h"
            """)
    }

    @Test func aReloadThatCannotCountTheStoreAgainKeepsTheRunningConfiguration() async throws {
        let directory = try TemporaryDirectory()
        let text = Mutex(Self.config(objective: 0.99))
        let load: @Sendable () -> ConfigLoadResult = {
            ConfigLoader.load(text: Array(text.withLock { $0 }.utf8), path: "reload.toml", catalogue: .standard,
                              environment: ["BULK_TOKEN": "t"])
        }
        let path = directory.path("reload.db")
        let daemon = try await Daemon.start(Daemon.Options(loadConfiguration: load, logger: Logger(minimum: .error),
                                                           notifier: SystemdNotifier(environment: [:]), storePathOverride: path))
        // The store cannot be read for the new objective's count: the settled canaries are out of reach.
        let outside = try SQLiteConnection(path: path)
        try outside.execute("ALTER TABLE canaries RENAME TO canaries_away")
        text.withLock { $0 = Self.config(objective: 0.95) }
        #expect(await daemon.reload() == false)
        #expect(daemon.context.configuration.sloDefinitions.map(\.objective) == [0.99])
        #expect(daemon.metrics.value(.configLastReloadSuccessful, [:]) == 0)

        try outside.execute("ALTER TABLE canaries_away RENAME TO canaries")
        #expect(await daemon.reload())
        #expect(daemon.context.configuration.sloDefinitions.map(\.objective) == [0.95])
        #expect(daemon.metrics.value(.configLastReloadSuccessful, [:]) == 1)
        await daemon.stop(grace: 5)
    }

    @Test func aReloadThatRemovesAReceiverTakesItsPairsAndItsGaugesOutOfMetrics() async throws {
        let directory = try TemporaryDirectory()
        let before = Self.config(objective: 0.99)
        let after = before.replacingOccurrences(of: #"name = "phone""#, with: #"name = "phone2""#)
            .replacingOccurrences(of: #"receivers = ["phone"]"#, with: #"receivers = ["phone2"]"#)
            .replacingOccurrences(of: #"carrier = "Test \"Carrier\"""#, with: #"carrier = "Other""#)
        #expect(after.contains("phone2") && after.contains(#"carrier = "Other""#))
        let text = Mutex(before)
        let load: @Sendable () -> ConfigLoadResult = {
            ConfigLoader.load(text: Array(text.withLock { $0 }.utf8), path: "reload.toml", catalogue: .standard,
                              environment: ["BULK_TOKEN": "t"])
        }
        let daemon = try await Daemon.start(Daemon.Options(loadConfiguration: load, logger: Logger(minimum: .error),
                                                           notifier: SystemdNotifier(environment: [:]),
                                                           storePathOverride: directory.path("reload.db")))
        func gauges() -> String {
            _ = daemon.detection.evaluate(at: Date())
            return PrometheusText.render(daemon.slo.families(at: Date()) + daemon.detection.families())
        }
        let first = gauges()
        #expect(first.contains(#"lastmile_receiver_silent{carrier="Test \"Carrier\"",receiver="phone"} 0"#), "\(first)")
        #expect(first.contains(#"lastmile_slo_objective_ratio{carrier="Test \"Carrier\"",route="bulk",slo="accepted-delivery"}"#))

        text.withLock { $0 = after }
        #expect(await daemon.reload())
        let second = gauges()
        #expect(!second.contains(#"receiver="phone""#), "\(second)")
        #expect(!second.contains(#"carrier="Test \"Carrier\"""#), "\(second)")
        #expect(second.contains(#"lastmile_receiver_silent{carrier="Other",receiver="phone2"} 0"#))
        #expect(second.contains(#"lastmile_slo_objective_ratio{carrier="Other",route="bulk",slo="accepted-delivery"}"#))
        await daemon.stop(grace: 5)
    }
}

import Foundation
import LastmileBase
import LastmileConfig
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
}

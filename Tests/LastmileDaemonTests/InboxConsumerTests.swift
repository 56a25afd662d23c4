import Foundation
import LastmileBase
import LastmileCore
import LastmileProviders
import LastmileStore
import LastmileTestSupport
import Testing
@testable import LastmileDaemon

/// The leader's reading of the inbox, on a real PostgreSQL store.
@Suite struct InboxConsumerTests {
    /// An instance whose lease is gone stops reading the inbox at once, however much waits in it,
    /// and leaves every entry for the new leader.
    @Test func aDrainWithoutTheLeaseEndsAndLeavesEveryEntry() async throws {
        guard let place = try await TestStorePlace.make(.postgres) else { return }
        let store = try CanaryStore(location: place.location)
        defer { store.beginClosing() }
        let reports = try InboxReports(arrivals: [ParsedArrival(from: "+15550000000", to: nil, body: "waiting", receivedAt: nil)],
                                       receiver: "phone").encoded()
        let waiting = 450
        for _ in 0..<waiting {
            try await store.enqueue(InboxEntry(receivedAt: Date(), instance: "other", reports: reports, rawPayload: Data("raw".utf8)))
        }
        // Alone, this instance holds no lease in any term: as a leader that has just lost its own.
        let consumer = InboxConsumer(engine: CanaryEngine(store: store, metrics: DaemonMetrics(version: "t"), clock: ManualClock()),
                                     store: store, leadership: .alone(), metrics: DaemonMetrics(version: "t"), logger: Logger(minimum: .error))
        let finished = AsyncLatch()
        let draining = Task {
            try? await consumer.drain()
            finished.open()
        }
        defer { draining.cancel() }
        let drained = await finished.wait(timeout: .seconds(60))
        #expect(drained, "drain() went on reading an inbox it may no longer join")
        #expect(try store.inboxCount() == waiting)
    }
}

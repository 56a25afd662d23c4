import Foundation
import LastmileCore
import LastmileStore
import LastmileTestSupport
import Testing

@Suite struct AlertStoreTests {
    @Test(arguments: StoreEngine.allCases) func pendingAndFiringAlertsSurviveReopeningTheStore(engine: StoreEngine) async throws {
        guard let place = try await TestStorePlace.make(engine) else { return }
        let tier = AlertTier(severity: "page", long: 3_600, short: 300, factor: 14.4)
        func alert(_ route: String, startsAt: Double) -> FiringAlert {
            let finding = AlertFinding(name: .acceptedButUndelivered, key: SLOKey(slo: "accepted-delivery", route: route, carrier: "AT&T"),
                                       severity: "page", tier: tier, badEvents: 4, totalEvents: 12, lowerBound: 0.12, allowedRate: 0.01)
            return FiringAlert(finding: finding, startsAt: Date(timeIntervalSince1970: startsAt), lastNotifiedAt: Date(timeIntervalSince1970: startsAt + 60))
        }
        let firing = [alert("lying", startsAt: 1_800_000_000)]
        let pending = [alert("queued", startsAt: 1_800_000_100)]
        do {
            let store = try await place.open()
            try await store.saveAlerts(firing: firing, pending: pending)
            await store.close()
        }
        let reopened = try await place.open()
        defer { reopened.beginClosing() }
        let stored = try reopened.storedAlerts()
        #expect(stored.firing == firing)
        #expect(stored.pending == pending)
        try await reopened.saveAlerts(firing: [], pending: [])
        let cleared = try reopened.storedAlerts()
        #expect(cleared.firing.isEmpty && cleared.pending.isEmpty)
    }
}

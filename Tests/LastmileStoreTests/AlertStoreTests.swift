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

extension AlertStoreTests {
    @Test(arguments: StoreEngine.allCases) func anOutboxNoticeStaysUntilItsOwnVersionIsTakenOut(engine: StoreEngine) async throws {
        guard let place = try await TestStorePlace.make(engine) else { return }
        func entry(_ notifier: String, _ alert: String, version: Int64, _ text: String) -> AlertOutboxEntry {
            AlertOutboxEntry(stamp: .init(notifier: notifier, alert: alert, version: version), notice: Data(text.utf8),
                             queuedAt: Date(timeIntervalSince1970: 1_800_000_000 + Double(version)))
        }
        let first = entry("webhook http://a/", "page-1", version: 1, "fired")
        let other = entry("command [\"/bin/true\"]", "page-1", version: 2, "fired elsewhere")
        do {
            let store = try await place.open()
            try await store.saveAlerts(firing: [], pending: [], outbox: [first, other])
            await store.close()
        }
        let store = try await place.open()
        defer { store.beginClosing() }
        #expect(Set(try store.outboxEntries()) == [first, other], "the outbox survives reopening the store")

        // A newer notice about the same alert takes the place of the older one; taking out the older
        // version (its delivery finished after the newer was queued) leaves the newer.
        let resolved = entry("webhook http://a/", "page-1", version: 3, "resolved")
        try await store.saveAlerts(firing: [], pending: [], outbox: [resolved])
        try await store.removeFromOutbox([first.stamp])
        #expect(Set(try store.outboxEntries()) == [resolved, other])
        try await store.removeFromOutbox([resolved.stamp])
        #expect(try store.outboxEntries() == [other])

        // The notices of a notifier no longer configured go.
        try await store.saveAlerts(firing: [], pending: [], outbox: [resolved])
        try await store.removeFromOutbox(notifiersOtherThan: ["webhook http://a/"])
        #expect(try store.outboxEntries() == [resolved])
    }
}

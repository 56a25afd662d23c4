import Foundation
import LastmileCore
import Testing

/// The alert book's transitions, on simulated time.
@Suite struct AlertBookTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func finding(_ severity: String = "page", route: String = "r", bad: Int = 10) -> AlertFinding {
        let tier = AlertTier.standard.first { $0.severity == severity } ?? AlertTier.standard[0]
        return AlertFinding(name: .acceptedButUndelivered, key: SLOKey(slo: "s", route: route, carrier: "c"), severity: severity,
                            tier: tier, badEvents: bad, totalEvents: 20, lowerBound: 0.3, allowedRate: 0.01)
    }

    @Test func firesOnceRepeatsAfterTheIntervalAndResolvesWhenTheFindingGoes() {
        var book = AlertBook(repeatInterval: 3_600)
        let fired = book.update(with: [Self.finding()], at: Self.start)
        #expect(fired.fired.count == 1 && fired.repeated.isEmpty && fired.resolved.isEmpty)
        #expect(fired.firing.first?.startsAt == Self.start)

        let quiet = book.update(with: [Self.finding(bad: 12)], at: Self.start.addingTimeInterval(1_800))
        #expect(quiet.isEmpty, "still firing inside the repeat interval tells nobody")
        #expect(quiet.firing.first?.finding.badEvents == 12, "the latest counts are kept")

        let repeated = book.update(with: [Self.finding()], at: Self.start.addingTimeInterval(3_600))
        #expect(repeated.repeated.count == 1 && repeated.fired.isEmpty)
        #expect(repeated.repeated.first?.startsAt == Self.start, "a repeat keeps its start")

        let resolvedAt = Self.start.addingTimeInterval(4_000)
        let resolved = book.update(with: [], at: resolvedAt)
        #expect(resolved.resolved.count == 1 && resolved.firing.isEmpty)
        #expect(resolved.resolved.first?.lastNotifiedAt == resolvedAt)
        #expect(book.firing.isEmpty)
    }

    @Test func escalationResolvesTheTicketAndFiresThePage() {
        var book = AlertBook(repeatInterval: 3_600)
        _ = book.update(with: [Self.finding("ticket")], at: Self.start)
        let escalated = book.update(with: [Self.finding("page")], at: Self.start.addingTimeInterval(60))
        #expect(escalated.fired.map(\.finding.severity) == ["page"])
        #expect(escalated.resolved.map(\.finding.severity) == ["ticket"])
    }

    @Test func routesAreIndependent() {
        var book = AlertBook(repeatInterval: 3_600)
        _ = book.update(with: [Self.finding(route: "a"), Self.finding(route: "b")], at: Self.start)
        let update = book.update(with: [Self.finding(route: "b")], at: Self.start.addingTimeInterval(30))
        #expect(update.resolved.map(\.finding.key.route) == ["a"])
        #expect(update.firing.map(\.finding.key.route) == ["b"])
    }

    @Test func aConditionIsPendingUntilItHasHeldForPendingForThenFiresFromWhenItBegan() {
        var book = AlertBook(repeatInterval: 3_600, pendingFor: 120)
        let first = book.update(with: [Self.finding()], at: Self.start)
        #expect(first.fired.isEmpty && first.pending.count == 1 && first.pendingChanged)
        let still = book.update(with: [Self.finding()], at: Self.start.addingTimeInterval(60))
        #expect(still.fired.isEmpty && still.pending.count == 1 && still.isEmpty, "nothing new while it stays pending")
        let fired = book.update(with: [Self.finding()], at: Self.start.addingTimeInterval(120))
        #expect(fired.fired.count == 1 && fired.pending.isEmpty)
        #expect(fired.fired.first?.startsAt == Self.start, "an alert starts when its condition began")
    }

    @Test func aPendingConditionThatGoesAwayIsDroppedWithoutAResolution() {
        var book = AlertBook(repeatInterval: 3_600, pendingFor: 300)
        _ = book.update(with: [Self.finding()], at: Self.start)
        let gone = book.update(with: [], at: Self.start.addingTimeInterval(60))
        #expect(gone.resolved.isEmpty && gone.fired.isEmpty && gone.pending.isEmpty && gone.pendingChanged)
        // Met again later: pending afresh, from the new start.
        let again = book.update(with: [Self.finding()], at: Self.start.addingTimeInterval(400))
        #expect(again.pending.first?.startsAt == Self.start.addingTimeInterval(400))
    }
}

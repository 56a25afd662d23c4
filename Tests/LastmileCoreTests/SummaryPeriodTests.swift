import Foundation
import LastmileCore
import Testing

@Suite struct SummaryPeriodTests {
    static func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test(arguments: [
        (SummaryPeriod.yesterday, "2026-11-22T02:10:00Z", "2026-11-21T00:00:00Z", "2026-11-22T00:00:00Z"),
        (.yesterday, "2026-03-01T00:00:00Z", "2026-02-28T00:00:00Z", "2026-03-01T00:00:00Z"),
        // 2026-11-22 is a Sunday: last week is Monday 9th to Monday 16th.
        (.lastWeek, "2026-11-22T23:59:59Z", "2026-11-09T00:00:00Z", "2026-11-16T00:00:00Z"),
        (.lastWeek, "2026-11-23T00:00:00Z", "2026-11-16T00:00:00Z", "2026-11-23T00:00:00Z"),
        (.lastMonth, "2026-11-22T02:10:00Z", "2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z"),
        (.lastMonth, "2027-01-05T12:00:00Z", "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z"),
    ])
    func boundsAreWholeUTCPeriodsThatHaveEnded(period: SummaryPeriod, now: String, from: String, to: String) {
        let bounds = period.bounds(now: Self.date(now))
        #expect(bounds.from == Self.date(from))
        #expect(bounds.to == Self.date(to))
    }

    @Test func complianceIsNoDataWithoutEventsAndBreachedBelowTheObjective() {
        let definition = SLODefinition(name: "accepted-delivery", indicator: .acceptedDelivery, objective: 0.99, window: 86_400)
        let at = Self.date("2026-11-22T00:00:00Z")
        var canaries = (0..<99).map { _ in
            SettledCanary(route: "a", carrier: "c", verdict: .delivered, submitOutcome: .accepted, receiptSaidDelivered: true,
                          falseReceipt: false, settledAt: at)
        }
        canaries.append(SettledCanary(route: "a", carrier: "c", verdict: .lost, submitOutcome: .accepted, receiptSaidDelivered: true,
                                      falseReceipt: true, settledAt: at))
        canaries.append(SettledCanary(route: "b", carrier: "c", verdict: .lost, submitOutcome: .accepted, receiptSaidDelivered: false,
                                      falseReceipt: false, settledAt: at))
        canaries.append(SettledCanary(route: "none", carrier: "c", verdict: .rejected, submitOutcome: .rejected, receiptSaidDelivered: false,
                                      falseReceipt: false, settledAt: at))
        let results = SLOCompliance.evaluate([definition], canaries: canaries)
        #expect(results.map(\.key.route) == ["a", "b"], "a rejected canary is no event of accepted delivery")
        #expect(results[0].ratio == 0.99 && !results[0].isBreached && results[0].budgetRemaining.map { abs($0) < 1e-9 } == true)
        #expect(results[1].ratio == 0 && results[1].isBreached)
        #expect(SLOCompliance.evaluate([definition], canaries: []).isEmpty)
    }
}

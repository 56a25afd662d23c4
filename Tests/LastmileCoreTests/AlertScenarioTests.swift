import Foundation
import Testing
@testable import LastmileCore

/// Deterministic scenarios on simulated time: a route probed 12 times an hour.
@Suite struct AlertScenarioTests {
    static let slo = SLODefinition(name: "accepted-delivery", indicator: .acceptedDelivery, objective: 0.99, window: 28 * 86_400)
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func canary(_ index: Int, at time: Date, lost: Bool) -> Canary {
        let token = Token(payload: UInt64(index))
        let plan = CanaryPlan(id: "c\(index)", token: token, route: "r", carrier: "C", probe: "p", receiver: "x", to: "+1", from: "S",
                              body: "b \(token)", threshold: 60, deadline: 900)
        var canary = Canary(plan: plan, submitStartedAt: time.addingTimeInterval(lost ? -900 : -10))
        canary.submit = SubmitAnswer(outcome: .accepted, providerMessageID: "m\(index)")
        canary.verdict = lost ? .lost : .delivered
        canary.settledAt = time
        return canary
    }

    /// Runs `hours` of canaries (one every 5 minutes; `lost(index)` decides each), evaluating every 5 minutes.
    /// Returns the minutes (from the start) at which each evaluation found a page.
    static func run(hours: Int, tracker: inout SLOTracker, evaluator: AlertEvaluator, from offset: Int = 0,
                    lost: (Int) -> Bool) -> [Int] {
        var paging: [Int] = []
        for step in 0..<(hours * 12) {
            let index = offset + step
            let now = start.addingTimeInterval(Double(index) * 300)
            tracker.record(canary(index, at: now, lost: lost(index)))
            if evaluator.findings(tracker.statuses(at: now)).contains(where: { $0.severity == "page" }) { paging.append(index * 5) }
        }
        return paging
    }

    @Test func halfAPercentLossNeverPagesInThirtyDays() {
        var tracker = SLOTracker(definitions: [Self.slo], extraWindows: AlertEvaluator().windows)
        let pages = Self.run(hours: 30 * 24, tracker: &tracker, evaluator: AlertEvaluator()) { $0 % 200 == 199 }
        #expect(pages.isEmpty, "paged at minutes \(pages.prefix(5))")
        let status = tracker.statuses(at: Self.start.addingTimeInterval(30 * 86_400)).first!
        #expect(abs((status.badRate(over: Self.slo.window) ?? 0) - 0.005) < 0.001)
        #expect((status.budgetRemaining ?? 0) > 0.4)
    }

    @Test func aJumpToTenPercentPagesOnTheSixHourTierAndResolvesAfterRecovery() {
        var tracker = SLOTracker(definitions: [Self.slo], extraWindows: AlertEvaluator().windows)
        let evaluator = AlertEvaluator()
        // A week at 0.5 % (every 200th canary; the last one 17 canaries before the jump), then 10 %
        // (every tenth canary, the first one right away), then healthy again.
        _ = Self.run(hours: 7 * 24, tracker: &tracker, evaluator: evaluator) { $0 % 200 == 199 }
        let jump = 7 * 24 * 12
        let bad = Self.run(hours: 6, tracker: &tracker, evaluator: evaluator, from: jump) { ($0 - jump) % 10 == 0 }
        let minutes = (bad.first ?? .max) - jump * 5
        // 10 % is a 10× burn, under the 1h tier's 14.4×: the 6h tier pages, on five losses among its
        // 72 canaries (6.9 %, above 6×; P = 0.09 % at exactly 1 %): the one before the jump and the
        // fourth since, 150 minutes in. Two losses in an hour would page a healthy route too often.
        #expect(minutes == 150, "paged \(minutes) minutes after the jump")
        let healed = Self.run(hours: 6, tracker: &tracker, evaluator: evaluator, from: jump + 6 * 12) { _ in false }
        #expect(healed.count < 12, "still paging \(healed.count * 5) minutes after recovery")
        #expect(healed.last.map { $0 < (jump + 6 * 12) * 5 + 120 } ?? true)
    }

    @Test func aRouteWithNoTrafficRaisesNothingAndReportsNoData() {
        var tracker = SLOTracker(definitions: [Self.slo])
        tracker.prepare(route: "quiet", carrier: "C")
        let status = tracker.statuses(at: Self.start).first!
        #expect(status.budgetRemaining == nil)
        #expect(status.burnRate(over: 3_600) == nil)
        #expect(AlertEvaluator().findings([status]).isEmpty)
    }

    @Test func aSingleLossAmongFewCanariesIsNotEvidence() {
        var tracker = SLOTracker(definitions: [Self.slo], extraWindows: AlertEvaluator().windows)
        let pages = Self.run(hours: 1, tracker: &tracker, evaluator: AlertEvaluator()) { $0 == 3 }
        #expect(pages.isEmpty)
    }

    @Test func rollingCountersForgetOldEvents() {
        var counter = RollingCounter(window: 3_600)
        counter.add(good: false, at: Self.start)
        counter.add(good: true, at: Self.start.addingTimeInterval(1_800))
        #expect(counter.counts(at: Self.start.addingTimeInterval(1_900)) == (1, 2))
        #expect(counter.counts(at: Self.start.addingTimeInterval(3_700)) == (1, 1))
        #expect(counter.counts(at: Self.start.addingTimeInterval(9_000)) == (0, 0))
    }
}

import Foundation
import LastmileTestSupport
import Testing
@testable import LastmileCore

/// What the alert tiers can promise at canary volumes, on simulated time with random losses.
@Suite struct DetectionSimulationTests {
    static let months: ClosedRange<UInt64> = 1...20

    @Test func anOutagePagesSoonAfterTheFirstDeadlinesPass() async {
        // Nothing can be known before a canary misses its 15-minute deadline; then the losses come
        // one spacing apart and the 1h tier has its evidence within minutes.
        let simulation = DetectionSimulation(canariesPerHour: 30)
        let times = await offThePool {
            (UInt64(1)...20).map { simulation.timeToPage(baseline: 0.005, lossRate: 1, horizon: 3 * 3_600, seed: $0) }
        }
        for (seed, time) in zip(1..., times) {
            #expect(time.map { $0 >= 900 && $0 <= 1_500 } == true, "seed \(seed): \(time.map { "\($0 / 60) min" } ?? "no page")")
        }
    }

    @Test func aHealthyRouteAtTwelveAnHourRarelyPagesInAMonthAndWouldAtNinetyFivePercent() async {
        // 0.5 % random loss, half the allowance, for 30 days: the defaults page in at most one
        // month in ten; the same tiers at 95 % page in most months (two losses in an hour happen).
        let defaults = DetectionSimulation(canariesPerHour: 12)
        let pagedMonths = await offThePool {
            Self.months.filter { defaults.pages(lossRate: 0.005, duration: 30 * 86_400, seed: $0) > 0 }.count
        }
        #expect(pagedMonths <= 2, "\(pagedMonths) of \(Self.months.count) healthy months paged")

        let perWindow = AlertTier.standard.map { tier -> AlertTier in
            var tier = tier
            tier.confidence = 0.95
            return tier
        }
        let lenient = DetectionSimulation(evaluator: AlertEvaluator(tiers: perWindow), canariesPerHour: 12)
        let lenientMonths = await offThePool {
            Self.months.filter { lenient.pages(lossRate: 0.005, duration: 30 * 86_400, seed: $0) > 0 }.count
        }
        #expect(lenientMonths >= 10, "\(lenientMonths) of \(Self.months.count) healthy months paged at 95 %")
    }

    @Test func aRouteThatNeverLosesNeverPagesAndTenPercentLossAlwaysDoes() async {
        let simulation = DetectionSimulation(canariesPerHour: 12)
        #expect(simulation.pages(lossRate: 0, duration: 30 * 86_400, seed: 7) == 0)
        let times = await offThePool {
            (UInt64(1)...30).map { simulation.timeToPage(baseline: 0.005, lossRate: 0.10, horizon: 12 * 3_600, seed: $0) }
        }
        #expect(times.allSatisfy { $0 != nil }, "a 10% loss went unpaged for 12 hours")
        // The same seed, the same answer.
        #expect(simulation.timeToPage(baseline: 0.005, lossRate: 0.10, horizon: 12 * 3_600, seed: 3) == times[2])
    }
}

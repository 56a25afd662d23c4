import Foundation
import LastmileCore
import LastmileTestSupport
import Testing

extension DetectionSimulationSuites {
    /// The sequential detector on simulated time: its run lengths, its delays, its blame.
    @Suite struct SequentialDetectionTests {
        @Test func runLengthMatchesTheChainByHand() {
            // One failure reaches the threshold: the run length is the mean wait for a failure, 1 ÷ p.
            let test = BernoulliCUSUM(healthy: 0.01, jump: 0.5)
            let length = CUSUMRunLength.averageRunLength(test, thresholdCells: test.failureCells, failureRate: 0.01)
            #expect(abs(length - 100) < 1e-6)
            // Two failures in a row (a success wipes out one failure's evidence and more): 1/p + 1/p².
            let strict = BernoulliCUSUM(healthy: 0.01, jump: 0.99)
            #expect(strict.successCells >= strict.failureCells)
            let twice = CUSUMRunLength.averageRunLength(strict, thresholdCells: 2 * strict.failureCells, failureRate: 0.01)
            #expect(abs(twice - 10_100) / 10_100 < 1e-6)
        }

        @Test func thresholdsGrowWithTheRunLengthAsked() async {
            let test = BernoulliCUSUM(healthy: 0.005, jump: 0.1)
            let (yearAt30, yearAt120, at, below) = await offThePool {
                let yearAt30 = CUSUMRunLength.thresholdCells(test, healthyRunLength: 30 * 8_766)
                return (yearAt30, CUSUMRunLength.thresholdCells(test, healthyRunLength: 120 * 8_766),
                        CUSUMRunLength.averageRunLength(test, thresholdCells: yearAt30, failureRate: 0.005),
                        CUSUMRunLength.averageRunLength(test, thresholdCells: yearAt30 - 1, failureRate: 0.005))
            }
            #expect(yearAt120 > yearAt30)
            #expect(at >= 30 * 8_766)
            #expect(below < 30 * 8_766)
        }

        static let searches: [(healthy: Double, jump: Double, runLength: Double)] = [
            (0.005, 0.1, 263_000), (0.005, 0.9, 15_800_000), (0.02, 0.25, 105_000), (0.1, 0.25, 1e7),
        ]

        @Test(arguments: searches)
        func theSearchFindsTheSmallestThreshold(healthy: Double, jump: Double, runLength: Double) async {
            let test = BernoulliCUSUM(healthy: healthy, jump: jump)
            let (cells, guessedHigh, guessedLow, at, below) = await offThePool {
                let cells = CUSUMRunLength.thresholdCells(test, healthyRunLength: runLength)
                return (cells, CUSUMRunLength.thresholdCells(test, healthyRunLength: runLength, near: cells + 37),
                        CUSUMRunLength.thresholdCells(test, healthyRunLength: runLength, near: max(2, cells - 50)),
                        CUSUMRunLength.averageRunLength(test, thresholdCells: cells, failureRate: healthy),
                        CUSUMRunLength.averageRunLength(test, thresholdCells: cells - 1, failureRate: healthy))
            }
            #expect(cells > 0 && cells < CUSUMRunLength.maximumStates)
            // A guess on either side leads to the same threshold.
            #expect(guessedHigh == cells && guessedLow == cells)
            #expect(at >= runLength)
            #expect(below < runLength)
        }

        @Test func outcomesRecordedBeforeTheFirstEvaluationAreCounted() async {
            let (neededAtFirst, neededAfterPreparing, reading) = await offThePool {
                let table = ThresholdTable()
                var detector = SequentialDetector(canariesPerHour: 60, table: table)
                let start = Date(timeIntervalSince1970: 1_000)
                let neededAtFirst = detector.thresholdsNeeded(at: start)
                for minute in 0..<30 {
                    let ticket = detector.sent(at: start.addingTimeInterval(Double(minute) * 60))
                    detector.record(ticket, .failed, at: start.addingTimeInterval(Double(minute) * 60 + 900))
                }
                table.prepare(detector.thresholdsNeeded(at: start.addingTimeInterval(2_700)))
                return (neededAtFirst, detector.thresholdsNeeded(at: start.addingTimeInterval(2_700)),
                        detector.evaluate(at: start.addingTimeInterval(2_700)))
            }
            #expect(!neededAtFirst.isEmpty)
            #expect(neededAfterPreparing.isEmpty)
            #expect(reading.firing)
            #expect(reading.statistics.allSatisfy { $0.value > 0 })
        }

        /// A detector at 12 canaries an hour fed `hours` of history before its first evaluation,
        /// as a start replays it, canary `step` lost when `lost` says; its reading at the end.
        static func replayed(hours: Int, lost: (Int) -> Bool) -> SequentialDetector.Reading {
            var detector = SequentialDetector(canariesPerHour: 12)
            let start = Date(timeIntervalSince1970: 1_000_000)
            for step in 0..<(12 * hours) {
                let sentAt = start.addingTimeInterval(Double(step) * 300)
                let lost = lost(step)
                let ticket = detector.sent(at: sentAt)
                detector.record(ticket, lost ? .failed : .arrived, latency: lost ? nil : 4, at: sentAt.addingTimeInterval(lost ? 900 : 4))
            }
            return detector.evaluate(at: start.addingTimeInterval(Double(hours) * 3_600))
        }

        @Test func anOutageResolvedDaysBeforeAStartDoesNotPageAgainWhenItsHistoryIsReplayed() async {
            // What a start replays: a healthy day, a four-hour outage, two healthy days, all before the first evaluation.
            let reading = await offThePool { Self.replayed(hours: 76) { (12 * 24..<12 * 28).contains($0) } }
            // Live, the page fired, was held at its threshold, and resolved within hours; replayed, the same.
            #expect(!reading.firing)
            #expect(reading.statistics.allSatisfy { $0.value < $0.threshold / 2 }, "\(reading.statistics)")
            // And the outage is not what healthy looks like.
            #expect(reading.healthyRate < 0.01, "\(reading.healthyRate)")
        }

        @Test func aReplayedOutageKeepsTheHealthyLossBeforeAndAfterIt() async {
            // A route that loses 4 % when healthy: six hours, a four-hour outage, then three days.
            let reading = await offThePool { Self.replayed(hours: 82) { (12 * 6..<12 * 10).contains($0) || $0 % 25 == 0 } }
            // Only what the page rested on is left out of what healthy looks like, not the days after it.
            #expect(reading.healthyRate > 0.01, "\(reading.healthyRate)")
            #expect(!reading.firing)
        }

        @Test func aPageHoldsForItsEvidenceWindowAndDoesNotFlap() async {
            let (changes, firedAt, evidenceMinutes) = await offThePool { Self.firingChangesAfterTenLosses() }
            #expect(changes.map(\.firing) == [true, false], "\(changes)")
            let resolvedAt = changes.last?.minute ?? 0
            #expect(Double(resolvedAt - (firedAt ?? 0)) >= evidenceMinutes, "\(changes), evidence \(evidenceMinutes) min")
        }

        /// Ten lost canaries, then three hours of arrivals, one a minute, each evaluated a minute on:
        /// when the detector starts and stops firing, when it fired, and how long its evidence took.
        static func firingChangesAfterTenLosses() -> (changes: [(minute: Int, firing: Bool)], firedAt: Int?, evidenceMinutes: Double) {
            var detector = SequentialDetector(canariesPerHour: 60)
            let start = Date(timeIntervalSince1970: 1_000)
            var changes: [(minute: Int, firing: Bool)] = []
            var firing = false
            var firedAt: Int?
            var evidenceMinutes = 0.0
            for minute in 0..<190 {
                let sentAt = start.addingTimeInterval(Double(minute) * 60)
                let ticket = detector.sent(at: sentAt)
                detector.record(ticket, minute < 10 ? .failed : .arrived, latency: minute < 10 ? nil : 4, at: sentAt.addingTimeInterval(30))
                let reading = detector.evaluate(at: sentAt.addingTimeInterval(60))
                if reading.firing != firing {
                    changes.append((minute, reading.firing))
                    firing = reading.firing
                    if firing, let since = reading.evidenceSince {
                        firedAt = minute
                        evidenceMinutes = sentAt.addingTimeInterval(60).timeIntervalSince(since) / 60
                    }
                }
            }
            return (changes, firedAt, evidenceMinutes)
        }

        @Test func overdueEvidenceGrowsWithAgeAndStopsAtAFailure() {
            let test = BernoulliCUSUM(healthy: 0.005, jump: 0.25)
            #expect(test.overdueStep(survival: 1) == 0)
            #expect(test.overdueStep(survival: 0.001) > test.overdueStep(survival: 0.004))
            #expect(test.overdueStep(survival: 0) <= test.failureStep)
        }

        @Test func lateEvidenceChanceIsTheSurvivalAtWhichOverdueEvidenceReachesTheHeadroom() {
            let test = BernoulliCUSUM(healthy: 0.005, jump: 0.25)
            for headroom in [0.5, 1.5, 2.5, 3.2] {
                let chance = test.lateEvidenceChance(reaching: headroom)
                #expect(chance > 0 && chance <= BernoulliCUSUM.overdueSurvival)
                if chance < BernoulliCUSUM.overdueSurvival {
                    // Exactly at that survival the evidence is the headroom; older canaries carry more.
                    #expect(abs(test.overdueStep(survival: chance) - headroom) < 1e-9)
                } else {
                    #expect(test.overdueStep(survival: chance) >= headroom)
                }
            }
            #expect(test.lateEvidenceChance(reaching: test.failureStep + 0.01) == 0)
            #expect(test.lateEvidenceChance(reaching: 3.5) < test.lateEvidenceChance(reaching: 3.3))
        }

        @Test func lateArrivalsShortenTheRunLengthAsTheChainByHandSays() {
            // A threshold of one cell: a failure signals, and so does a success whose canary was
            // late enough first, which a healthy one is with `q`; the mean wait is 1 ÷ (p + (1 − p)q).
            let test = BernoulliCUSUM(healthy: 0.01, jump: 0.5)
            let q = test.lateEvidenceChance(reaching: test.cell)
            #expect(q == BernoulliCUSUM.overdueSurvival)
            let length = CUSUMRunLength.averageRunLength(test, thresholdCells: 1, failureRate: 0.01, countingLateArrivals: true)
            #expect(abs(length - 1 / (0.01 + 0.99 * q)) < 1e-6)
            // On a real threshold late arrivals cost some run length, never more than they could.
            let yearly = BernoulliCUSUM(healthy: 0.005, jump: 0.25)
            let cells = 3 * yearly.failureCells
            let plain = CUSUMRunLength.averageRunLength(yearly, thresholdCells: cells, failureRate: 0.005)
            let late = CUSUMRunLength.averageRunLength(yearly, thresholdCells: cells, failureRate: 0.005, countingLateArrivals: true)
            #expect(late < plain)
            #expect(late > plain / 2)
        }

        @Test func survivalLearnsTheLatencyTail() {
            var survival = LatencySurvival()
            #expect(survival.survival(at: 600) == 1)
            var random = SeededRandom(seed: 3)
            for _ in 0..<256 { survival.record(4 * exp(1.16 * Double.random(in: -2.5...2.5, using: &random))) }
            #expect(survival.survival(at: 1) > 0.5)
            #expect(survival.survival(at: 600) < 0.005)
        }

        @Test func anOutageAt120PerHourPagesWithinFiveMinutes() async {
            let simulation = SequentialDetectionSimulation(canariesPerHour: 120)
            let times = await offThePool {
                (1...9).compactMap { simulation.timeToPage(baseline: 0.005, lossRate: 1, warmUp: 6 * 3_600, horizon: 3_600, seed: $0) }
            }
            #expect(times.count == 9)
            #expect(times.sorted()[4] <= 300)
        }

        @Test func aTenPercentLossAt60PerHourPagesWithinTheHour() async {
            let simulation = SequentialDetectionSimulation(canariesPerHour: 60)
            let times = await offThePool {
                (1...9).map { simulation.timeToPage(baseline: 0.005, lossRate: 0.1, warmUp: 6 * 3_600, horizon: 12 * 3_600, seed: $0) }
            }
            let paged = times.compactMap { $0 }.sorted()
            #expect(paged.count == 9)
            #expect(paged[4] <= 3_600)
        }

        @Test func thirtyHealthyDaysDoNotPage() async {
            let simulation = SequentialDetectionSimulation(canariesPerHour: 60)
            let pages = await offThePool { simulation.pages(lossRate: 0.005, duration: 30 * 86_400, seed: 11) }
            #expect(pages == 0)
        }
    }
}

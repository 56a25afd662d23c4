import Foundation
import LastmileCore
import LastmileTestSupport
import Testing

extension DetectionSimulationSuites {
    /// The sequential detector against the targets it is built to, on simulated time: for each
    /// probe rate and loss, the median minutes from a jump (after a day at a healthy 0.5 %) to the
    /// first page, over a fixed set of seeds. Five cells fall short of their targets (each
    /// within a few canaries of the bound of one test tuned exactly to that loss).
    /// `lastmile-bench detection` runs the same cells with a hundred seeds each and prints the figures.
    @Suite struct DetectionTargetTests {
        struct Cell: Sendable, CustomTestStringConvertible {
            var rate: Double
            var loss: Double
            var targetMinutes: Double
            /// Where the detector does not yet meet its target: what it holds to instead (the
            /// benchmark's median, rounded up). docs/benchmarks.md sets each beside its bound.
            var shortfallMinutes: Double?
            var limit: Double { shortfallMinutes ?? targetMinutes }
            var testDescription: String { "\(Int(rate))/h, \(Int(loss * 100))% loss, ≤ \(Int(limit)) min" }
        }

        static let cells: [Cell] = [
            Cell(rate: 12, loss: 0.10, targetMinutes: 180), Cell(rate: 12, loss: 0.25, targetMinutes: 55, shortfallMinutes: 60),
            Cell(rate: 12, loss: 0.50, targetMinutes: 30), Cell(rate: 12, loss: 1, targetMinutes: 15),
            Cell(rate: 30, loss: 0.10, targetMinutes: 75, shortfallMinutes: 100), Cell(rate: 30, loss: 0.25, targetMinutes: 25, shortfallMinutes: 32),
            Cell(rate: 30, loss: 0.50, targetMinutes: 14), Cell(rate: 30, loss: 1, targetMinutes: 8),
            Cell(rate: 60, loss: 0.10, targetMinutes: 50), Cell(rate: 60, loss: 0.25, targetMinutes: 15, shortfallMinutes: 18),
            Cell(rate: 60, loss: 0.50, targetMinutes: 9, shortfallMinutes: 10), Cell(rate: 60, loss: 1, targetMinutes: 6),
            Cell(rate: 120, loss: 0.10, targetMinutes: 30), Cell(rate: 120, loss: 0.25, targetMinutes: 10),
            Cell(rate: 120, loss: 0.50, targetMinutes: 6), Cell(rate: 120, loss: 1, targetMinutes: 5),
        ]

        @Test(arguments: cells)
        func theMedianPageMeetsItsTarget(_ cell: Cell) async {
            let simulation = SequentialDetectionSimulation(canariesPerHour: cell.rate)
            // Seconds of simulation each: off the concurrency pool, where other suites' loops wait their turn.
            let minutes = await offThePool {
                (1...21).map { seed in
                    simulation.timeToPage(baseline: 0.005, lossRate: cell.loss, horizon: 12 * 3_600, seed: seed).map { $0 / 60 } ?? .infinity
                }.sorted()
            }
            #expect(minutes[10] <= cell.limit, "median \(minutes[10]) min: \(minutes)")
        }
    }
}

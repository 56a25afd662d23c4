import Foundation
import LastmileCore
import Synchronization

/// How soon the sequential detector pages when a route × carrier starts losing accepted
/// canaries, and how often it pages a healthy one, by probe rate: the real detector over
/// simulated time, beside a bound — the median delay of one CUSUM tuned to exactly that loss
/// with the whole false-page budget, which no test held to the same budget does much better than.
enum DetectionBenchmark {
    static let runs: ClosedRange<UInt64> = 1...100
    static let rates: [Double] = [12, 30, 60, 120]
    static let losses: [Double] = [0.10, 0.25, 0.50, 1.0]
    static let healthy = 0.005
    /// Healthy streams per rate, each `healthyYears` long.
    static let healthyStreams = 26
    static let healthyYears = 2.0

    struct Cell {
        var rate: Double
        var loss: Double
        var times: [TimeInterval?]
        var bound: Double

        func quantile(_ q: Double) -> Double? {
            let paged = times.compactMap { $0 }.sorted()
            let rank = Int((q * Double(times.count)).rounded(.up)) - 1
            return rank < paged.count ? paged[max(rank, 0)] / 60 : nil
        }
    }

    static func run() async throws {
        let json = CommandLine.arguments.contains("--json")
        let settings = DetectionSettings.standard
        // `--rate 30 --loss 0.1 --runs 1000` narrows the table to one cell (or a few), with more runs.
        let rates = values(after: "--rate") ?? Self.rates
        let losses = values(after: "--loss") ?? Self.losses
        let runs = values(after: "--runs").flatMap(\.first).map { 1...UInt64(max(1, $0)) } ?? Self.runs
        // `--healthy 52` sets the healthy streams per rate (none by default once `--runs` narrows the table).
        let healthyStreams = values(after: "--healthy")?.first.map { Int($0) } ?? (values(after: "--runs") == nil ? Self.healthyStreams : 0)
        // `--interval 10` evaluates the detector every 10 s instead of the daemon's default.
        let interval = values(after: "--interval")?.first ?? 30
        // `--latency 0.1` sets the healthy median latency (p99 15 times it), to see what waiting for arrivals costs.
        let median = values(after: "--latency")?.first ?? 4
        var cells: [Cell] = []
        var healthyRows: [(rate: Double, years: Double, pages: Int)] = []
        for rate in rates {
            let simulation = SequentialDetectionSimulation(settings: settings, canariesPerHour: rate, evaluationInterval: interval, medianLatency: median, p99Latency: 15 * median)
            for loss in losses {
                let times = parallel(Array(runs)) { seed in
                    simulation.timeToPage(baseline: healthy, lossRate: loss, horizon: 12 * 3_600, seed: seed)
                }
                cells.append(Cell(rate: rate, loss: loss, times: times, bound: bound(rate: rate, loss: loss, settings: settings)))
            }
            guard healthyStreams > 0 else { continue }
            let pages = parallel(Array(1...UInt64(healthyStreams))) { seed in
                simulation.pages(lossRate: healthy, duration: healthyYears * 365.25 * 86_400, seed: 1_000 + seed)
            }
            healthyRows.append((rate, Double(healthyStreams) * healthyYears, pages.reduce(0, +)))
        }
        if json {
            let object: [String: Any] = [
                "cells": cells.map { cell -> [String: Any] in
                    ["rate_per_hour": cell.rate, "loss": cell.loss, "runs": cell.times.count,
                     "median_minutes": cell.quantile(0.5) ?? NSNull(), "p90_minutes": cell.quantile(0.9) ?? NSNull(),
                     "bound_minutes": cell.bound]
                },
                "healthy": healthyRows.map { ["rate_per_hour": $0.rate, "pair_years": $0.years, "false_pages": $0.pages] },
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("detection: sequential detector, default settings (false_pages_per_year = 1, healthy floor 0.5%)")
        print("  jump from 0.5% loss after a day, \(runs.count) seeded runs each; latency median \(formatted(median, digits: 1)) s, p99 \(formatted(15 * median, digits: 1)) s; 15 min deadline")
        print("  canaries/h  loss   median     p90   bound   (minutes to the first page)")
        for cell in cells {
            func text(_ value: Double?) -> String { value.map { String(format: "%.1f", $0) } ?? "never" }
            print(String(format: "  %10.0f  %3.0f%%  %7@  %6@  %6.1f", cell.rate, cell.loss * 100, text(cell.quantile(0.5)),
                         text(cell.quantile(0.9)), cell.bound))
        }
        print("  healthy (0.5% loss): false pages")
        for row in healthyRows {
            print(String(format: "  %10.0f  %d in %.0f pair-years (%.2f per pair-year)", row.rate, row.pages, row.years,
                         Double(row.pages) / row.years))
        }
    }

    /// The numbers given after every `flag` on the command line, or nil if it is not there.
    static func values(after flag: String) -> [Double]? {
        let arguments = CommandLine.arguments
        let found = arguments.indices.filter { arguments[$0] == flag && $0 + 1 < arguments.count }.compactMap { Double(arguments[$0 + 1]) }
        return found.isEmpty ? nil : found
    }

    /// The median minutes a single CUSUM tuned to `loss`, given the whole budget, takes to signal
    /// from a standing start, each canary counted the moment it is sent, less half a spacing (the
    /// jump falls, on average, halfway between two canaries).
    static func bound(rate: Double, loss: Double, settings: DetectionSettings) -> Double {
        let jump = min(loss, 0.99)
        let test = BernoulliCUSUM(healthy: healthy, jump: jump)
        let cells = CUSUMRunLength.thresholdCells(test, healthyRunLength: settings.healthyRunLength(canariesPerHour: rate, tests: 1))
        var random = SeededRandom(seed: 7)
        var counts: [Int] = []
        for _ in 0..<4_001 {
            var statistic = 0, count = 0
            while statistic < cells {
                count += 1
                statistic = max(0, statistic + (random.chance(loss) ? test.failureCells : -test.successCells))
            }
            counts.append(count)
        }
        counts.sort()
        let spacing = 60 / rate
        return Double(counts[counts.count / 2]) * spacing - spacing / 2
    }

    /// `body` over `items` on every core, in order.
    static func parallel<Item: Sendable, Result: Sendable>(_ items: [Item], _ body: @Sendable (Item) -> Result) -> [Result] {
        let results = Mutex<[Int: Result]>([:])
        DispatchQueue.concurrentPerform(iterations: items.count) { index in
            let result = body(items[index])
            results.withLock { $0[index] = result }
        }
        return results.withLock { dictionary in items.indices.map { dictionary[$0]! } }
    }
}

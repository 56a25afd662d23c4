import Foundation
import LastmileCore

/// How soon the alert tiers page when a route starts losing accepted canaries, and how often
/// they page on a healthy one, by probe rate: the real tracker and evaluator over simulated time.
enum DetectionBenchmark {
    static let seeds: Range<UInt64> = 1..<101
    static let rates: [Double] = [12, 30, 60, 120]
    static let losses: [Double] = [0.10, 0.25, 0.50, 1.0]

    static func run() async throws {
        let perWindow = AlertTier.standard.map { tier -> AlertTier in
            var tier = tier
            tier.confidence = nil
            return tier
        }
        let tierSets: [(name: String, tiers: [AlertTier])] = [
            ("DESIGN.md's tiers, every tier at 95% confidence", perWindow),
            ("DESIGN.md's tiers, pages at 99.9% confidence (the default)", AlertTier.standard),
        ]
        for (name, tiers) in tierSets {
            print("detection: \(name); 99% accepted-delivery objective, 15 min deadline, min_events 10")
            print("  jump from 0.5% loss after a day, \(seeds.count) seeded runs each; minutes to the first page")
            print("  canaries/h  loss   median     p90   paged ≤45m   not in 12h   healthy (0.5%) pages per 30 days")
            for rate in rates {
                let simulation = DetectionSimulation(evaluator: AlertEvaluator(tiers: tiers), canariesPerHour: rate, evaluationInterval: 60)
                let falsePages = (1...20).map { simulation.pages(lossRate: 0.005, duration: 30 * 86_400, seed: $0) }
                for (row, loss) in losses.enumerated() {
                    let times = seeds.map { simulation.timeToPage(baseline: 0.005, lossRate: loss, horizon: 12 * 3_600, seed: $0) }
                    let paged = times.compactMap { $0 }.sorted()
                    func minutes(_ q: Double) -> String {
                        let rank = Int((q * Double(times.count)).rounded(.up)) - 1
                        return rank < paged.count ? String(format: "%.0f", paged[rank] / 60) : "never"
                    }
                    let within = Double(paged.filter { $0 <= 45 * 60 }.count) / Double(times.count)
                    let missed = Double(times.count - paged.count) / Double(times.count)
                    let healthy = row == 0 ? String(format: "%.2f (%d of %d months paged)", Double(falsePages.reduce(0, +)) / Double(falsePages.count),
                                                    falsePages.filter { $0 > 0 }.count, falsePages.count) : ""
                    print(String(format: "  %10.0f  %3.0f%%  %7@  %6@  %10.0f%%  %10.0f%%   %@", rate, loss * 100, minutes(0.5),
                                 minutes(0.9), within * 100, missed * 100, healthy))
                }
            }
            print("")
        }
    }
}

import Foundation
import LastmileCore
import LastmileDaemon

/// `/metrics` rendering time and size with 2,000 route × carrier pairs, beside the time to
/// write the same number of plain lines (the reference: what formatting alone costs).
enum ScrapeBenchmark {
    static func run() async throws {
        let metrics = DaemonMetrics(version: "bench")
        let pairs = (0..<2_000).map { DaemonMetrics.Pair(route: "route-\($0 / 10)", carrier: "carrier-\($0 % 10)", probe: "probe-\($0)") }
        metrics.seed(pairs)
        var correlator = Correlator()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        for (index, pair) in pairs.enumerated() {
            let token = Token(payload: UInt64(index))
            let plan = CanaryPlan(id: "c\(index)", token: token, route: pair.route, carrier: pair.carrier, probe: pair.probe,
                                  receiver: "r", to: "+1", from: "S", body: "b \(token)", threshold: 60, deadline: 900)
            metrics.apply(correlator.submitStarted(plan, at: start), at: start)
            metrics.apply(correlator.submitAnswered(id: plan.id, answer: SubmitAnswer(outcome: .accepted), at: start), at: start)
            metrics.apply(correlator.ingest(ArrivalReport(receiver: "r", from: "S", body: plan.body,
                                                          ingestedAt: start.addingTimeInterval(Double(index % 90)))), at: start)
        }
        var text = ""
        var best = Double.infinity
        for _ in 0..<5 {
            let stopwatch = Stopwatch()
            text = metrics.render()
            best = min(best, stopwatch.seconds)
        }
        let lines = text.split(separator: "\n").count
        var reference = Double.infinity
        for _ in 0..<5 {
            let stopwatch = Stopwatch()
            var plain = ""
            plain.reserveCapacity(text.utf8.count)
            for line in 0..<lines { plain += "metric_\(line % 97) \(line)\n" }
            reference = min(reference, stopwatch.seconds)
        }
        print("scrape: 2,000 route × carrier pairs")
        print("  render /metrics:              \(formatted(best * 1000, digits: 1)) ms, \(formatted(Double(text.utf8.count) / 1_048_576, digits: 2)) MiB, \(lines) lines (target < 100 ms)")
        print("  reference, as many plain lines: \(formatted(reference * 1000, digits: 1)) ms (ratio \(formatted(best / reference, digits: 1))x)")
    }
}

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
        // What `/metrics` serves: the bytes of the exposition.
        var bytes: [UInt8] = []
        var best = Double.infinity
        for _ in 0..<9 {
            let stopwatch = Stopwatch()
            bytes = metrics.renderBytes()
            best = min(best, stopwatch.seconds)
        }
        var open = Double.infinity
        for _ in 0..<9 {
            let stopwatch = Stopwatch()
            _ = OpenMetricsText.renderBytes(metrics.families())
            open = min(open, stopwatch.seconds)
        }
        let lines = bytes.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
        var reference = Double.infinity
        for _ in 0..<9 {
            let stopwatch = Stopwatch()
            var plain = ""
            plain.reserveCapacity(bytes.count)
            for line in 0..<lines { plain += "metric_\(line % 97) \(line)\n" }
            reference = min(reference, stopwatch.seconds)
        }
        print("scrape: 2,000 route × carrier pairs")
        print("  render /metrics:              \(formatted(best * 1000, digits: 1)) ms, \(formatted(Double(bytes.count) / 1_048_576, digits: 2)) MiB, \(lines) lines (target < 50 ms)")
        print("  as OpenMetrics (with exemplars): \(formatted(open * 1000, digits: 1)) ms")
        print("  reference, as many plain lines: \(formatted(reference * 1000, digits: 1)) ms (ratio \(formatted(best / reference, digits: 1))x)")
    }
}

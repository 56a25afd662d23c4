import Foundation
import LastmileCore
import LastmileStore

/// A 30-day report over a store of 2,000,000 canaries, and start-up (recovery) on that store;
/// the reference is a bare `count(*)` over the same rows.
enum ReportBenchmark {
    static let canaries = 2_000_000

    static func run() async throws {
        // LASTMILE_BENCH_STORE names a store to build once and reuse (building takes about a minute).
        let directory = try Tools.temporaryDirectory("report")
        defer { try? FileManager.default.removeItem(at: directory) }
        let kept = ProcessInfo.processInfo.environment["LASTMILE_BENCH_STORE"]
        let path = kept ?? directory.appendingPathComponent("report.db").path
        var now = Date()
        let building = Stopwatch()
        if let kept, FileManager.default.fileExists(atPath: kept) {
            let store = try CanaryStore(path: kept)
            now = try store.latestStart()?.addingTimeInterval(1) ?? now
            await store.close()
        } else {
            try await StoreFiller.fill(path: path, count: canaries, endingAt: now)
        }
        let built = building.seconds

        let store = try CanaryStore(path: path)
        let countWatch = Stopwatch()
        let total = try store.rowCounts().canaries
        let countSeconds = countWatch.seconds
        let reportWatch = Stopwatch()
        let summaries = try store.summaries(startedFrom: now.addingTimeInterval(-30 * 86_400), to: now)
        let text = PeriodSummary(from: now.addingTimeInterval(-30 * 86_400), to: now, summaries: summaries).render(.text)
        let reportSeconds = reportWatch.seconds
        await store.close()

        let startWatch = Stopwatch()
        let reopened = try CanaryStore(path: path)
        var correlator = Correlator()
        let recovered = try await reopened.recover(into: &correlator, now: now)
        let startSeconds = startWatch.seconds
        await reopened.close()

        print("report: \(total) canaries over 30 days in one store (built in \(formatted(built, digits: 1)) s)")
        print("  30-day report, \(summaries.count) route × carrier rows, \(text.utf8.count) bytes: \(formatted(reportSeconds * 1000)) ms (target < 2 s)")
        print("  reference, count(*) over the table: \(formatted(countSeconds * 1000, digits: 1)) ms")
        print("  start-up on that store (open, migrate, recover \(recovered.restored) canaries): \(formatted(startSeconds * 1000)) ms (target < 500 ms)")
    }
}

/// Writes many settled canaries straight into a store, for benchmarks.
enum StoreFiller {
    static func fill(path: String, count: Int, endingAt end: Date) async throws {
        let store = try CanaryStore(path: path)
        await store.close()
        try store.bulkInsertForBenchmark(count: count, endingAt: end)
    }
}

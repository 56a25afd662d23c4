import Foundation
import LastmileCore
import LastmileStore

/// The two parts of a durable report measured apart, in the ingest run, so its ratio to nginx
/// can be read against what the parts alone allow: the daemon's HTTP server answering
/// `/healthz` (no hook, no store), and the store committing the same reports with no HTTP at
/// all, from as many concurrent writers as wrk has connections, with the whole machine to itself.
///
/// Both take CPU from the same two cores, so a report that needs both costs at least their sum:
/// if `http` and `store` are each a share of nginx's rate, no daemon built on them can pass
/// `1 / (1 / http + 1 / store)` of it, and the store's share is the generous one (it had no wrk
/// beside it).
enum IngestCeilings {
    /// Commits arrival reports like the benchmark's, each in its own write, from `writers`
    /// concurrent tasks for `seconds`: reports per second and CPU seconds per report.
    static func storeAlone(path: String, writers: Int, seconds: Double) async throws -> (rate: Double, cpuPerReport: Double) {
        let store = try CanaryStore(location: StoreLocation(path))
        let deadline = Date().addingTimeInterval(seconds)
        let cpuBefore = Tools.ownCPUSeconds()
        let stopwatch = Stopwatch()
        let committed = try await withThrowingTaskGroup(of: Int.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var count = 0
                    while Date() < deadline {
                        let id = try store.reserveReportID()
                        let body = #"{"from":"+15550000000","to":"+15551230001","body":"bench report \#(count) of thread \#(writer)"}"#
                        let report = ArrivalReport(reference: id, receiver: "phone", from: "+15550000000",
                                                   body: "bench report \(count) of thread \(writer)", ingestedAt: Date())
                        var change = StoreChange(arrivals: [StoredArrival(report: report, match: .unmatched(.noToken, canaryID: nil),
                                                                          rawPayload: Data())])
                        change.payload = RequestPayload(body: Data(body.utf8), receivedAt: report.ingestedAt)
                        try await store.commit(change)
                        count += 1
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = stopwatch.seconds, cpu = Tools.ownCPUSeconds() - cpuBefore
        await store.close()
        return (Double(committed) / elapsed, cpu / Double(max(committed, 1)))
    }

    /// A GET of `/healthz` for every request: the server's cost with nothing behind it.
    static let healthScript = #"request = function() return wrk.format("GET", "/healthz") end"#
}

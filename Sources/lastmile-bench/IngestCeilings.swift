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
        try await measure(path: path, seconds: seconds) { store, deadline in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        var count = 0
                        while Date() < deadline {
                            var change = StoreChange(arrivals: [try arrival(store, number: count, writer: writer)])
                            change.payload = RequestPayload(body: Data(body(number: count, writer: writer).utf8), receivedAt: Date())
                            try await store.commit(change)
                            count += 1
                        }
                        return count
                    }
                }
                return try await group.reduce(0, +)
            }
        }
    }

    /// The same reports committed `batch` to a write by one writer for `seconds`: what SQLite
    /// costs per report once every cost a transaction has (its commit, its `fdatasync`, the
    /// pages it writes again) is shared by a thousand, the least any design that keeps each
    /// report as a row of the store could spend on it.
    static func storeInBulk(path: String, batch: Int, seconds: Double) async throws -> (rate: Double, cpuPerReport: Double) {
        try await measure(path: path, seconds: seconds) { store, deadline in
            var committed = 0
            while Date() < deadline {
                var arrivals: [StoredArrival] = []
                for number in committed..<(committed + batch) {
                    var stored = try arrival(store, number: number, writer: 0)
                    stored.rawPayload = Data(body(number: number, writer: 0).utf8)
                    arrivals.append(stored)
                }
                try await store.commit(StoreChange(arrivals: arrivals))
                committed += batch
            }
            return committed
        }
    }

    /// Runs `commits` on a store of its own at `path` until `seconds` pass; the reports it
    /// committed per second, and the CPU each cost.
    private static func measure(path: String, seconds: Double,
                                _ commits: (CanaryStore, Date) async throws -> Int) async throws -> (rate: Double, cpuPerReport: Double) {
        let store = try CanaryStore(location: StoreLocation(path))
        defer { store.beginClosing() }
        let cpuBefore = Tools.ownCPUSeconds()
        let stopwatch = Stopwatch()
        let committed = try await commits(store, Date().addingTimeInterval(seconds))
        let elapsed = stopwatch.seconds, cpu = Tools.ownCPUSeconds() - cpuBefore
        await store.close()
        return (Double(committed) / elapsed, cpu / Double(max(committed, 1)))
    }

    private static func body(number: Int, writer: Int) -> String {
        #"{"from":"+15550000000","to":"+15551230001","body":"bench report \#(number) of thread \#(writer)"}"#
    }

    /// An arrival like the benchmark's, which matches no canary.
    private static func arrival(_ store: CanaryStore, number: Int, writer: Int) throws -> StoredArrival {
        let report = ArrivalReport(reference: try store.reserveReportID(), receiver: "phone", from: "+15550000000",
                                   body: "bench report \(number) of thread \(writer)", ingestedAt: Date())
        return StoredArrival(report: report, match: .unmatched(.noToken, canaryID: nil), rawPayload: Data())
    }

    /// A GET of `/healthz` for every request: the server's cost with nothing behind it.
    static let healthScript = #"request = function() return wrk.format("GET", "/healthz") end"#
}

import Foundation
import LastmileCore
import LastmileStore

/// Committed reports per second with group commit against one transaction per report,
/// with the same concurrent writers, on the same disk, in the same run.
enum StoreBenchmark {
    static let writers = 64
    static let reports = 4_000

    static func run() async throws {
        print("store: \(reports) receipts from \(writers) concurrent writers, synchronous=FULL, WAL")
        let single = try await measure(maximumBatch: 1)
        let grouped = try await measure(maximumBatch: 512)
        print("  one transaction per report: \(formatted(single.rate)) reports/s (\(single.transactions) transactions)")
        print("  group commit:                \(formatted(grouped.rate)) reports/s (\(grouped.transactions) transactions)")
        print("  ratio group/single:          \(formatted(grouped.rate / single.rate, digits: 1))x")
    }

    static func measure(maximumBatch: Int) async throws -> (rate: Double, transactions: Int) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lastmile-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try CanaryStore(path: directory.appendingPathComponent("bench.db").path,
                                    configuration: StoreConfiguration(maximumBatch: maximumBatch))
        defer { store.beginClosing() }
        let payload = Data(#"{"message_id":"SM0123456789abcdef","status":"delivered","error_code":null}"#.utf8)
        let perWriter = reports / writers
        let stopwatch = Stopwatch()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<writers {
                group.addTask {
                    for _ in 0..<perWriter {
                        let id = try store.reserveReportID()
                        let report = ReceiptReport(reference: id, route: "bench", providerMessageID: "m\(id)",
                                                   status: .delivered, rawStatus: "delivered", ingestedAt: Date())
                        try await store.commit(StoreChange(receipts: [StoredReceipt(
                            report: report, match: .unmatched(.unknownMessageID, canaryID: nil), rawPayload: payload)]))
                    }
                }
            }
            try await group.waitForAll()
        }
        let seconds = stopwatch.seconds
        return (Double(perWriter * writers) / seconds, store.transactionCount)
    }
}

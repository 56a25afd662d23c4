// Writes receipts into a store as fast as it can and prints each report id on
// its own line once the write holding it has committed. The store's crash test
// kills this process at a random moment and checks every printed id survived.
import Foundation
import LastmileCore
import LastmileStore

/// Writes one line straight to the file descriptor: no buffer to lose on SIGKILL.
func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

guard CommandLine.arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: lastmile-crash-writer STORE (a file or a postgresql:// URI)\n".utf8))
    exit(2)
}
let location = StoreLocation(CommandLine.arguments[1])
let store = try CanaryStore(location: location)
if case .postgres(let url) = location {
    // On a shared store only the lease holder writes: this writer takes it for itself.
    let connection = try PostgresConnection(url: url)
    try PostgresLeaseTable.create(on: connection)
    guard let term = try PostgresLeaseTable().acquire(holder: "crash-writer", duration: .seconds(3_600), on: connection) else {
        FileHandle.standardError.write(Data("another instance holds the lease\n".utf8))
        exit(1)
    }
    store.setFence(LeaseFence(holder: "crash-writer", term: term))
}
let writers = 16
let stopAt = Date().addingTimeInterval(60)
emit("ready")

await withTaskGroup(of: Void.self) { group in
    for _ in 0..<writers {
        group.addTask {
            while Date() < stopAt {
                guard let id = try? store.reserveReportID() else { continue }
                let report = ReceiptReport(reference: id, route: "crash", providerMessageID: "m\(id)", status: .delivered,
                                           rawStatus: "DELIVRD", ingestedAt: Date())
                let payload = Data("{\"message_id\":\"m\(id)\",\"status\":\"DELIVRD\"}".utf8)
                do {
                    try await store.commit(StoreChange(receipts: [StoredReceipt(
                        report: report, match: .unmatched(.unknownMessageID, canaryID: nil), rawPayload: payload)]))
                    emit(String(id))
                } catch {
                    FileHandle.standardError.write(Data("write \(id) failed: \(error)\n".utf8))
                    exit(1)
                }
            }
        }
    }
}

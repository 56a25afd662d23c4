import Foundation
import LastmileCore
import LastmileProviders
import LastmileStore

/// Where the reports an instance takes in go: straight to the engine alone on a file; on a
/// shared store, to the inbox, whichever instance leads, so the leader joins every report in the
/// order it was stamped (a report that went straight in would overtake one another instance took
/// in first). Either way a report is committed before the caller acknowledges it.
struct ReportIntake: Sendable {
    let engine: CanaryEngine
    let store: CanaryStore
    let leadership: Leadership

    /// Whether reports go to the inbox rather than to this instance's engine.
    private var queues: Bool { store.hasInbox }

    /// Stores receipts from one request; how each was joined, or nil when they wait in the inbox.
    func receipts(_ parsed: [ParsedReceipt], route: String, rawPayload: Data, at time: Date) async throws -> [ReportMatch]? {
        guard queues else { return try await engine.ingest(receipts: parsed, route: route, rawPayload: rawPayload, at: time) }
        try await enqueue(InboxReports(receipts: parsed, route: route), rawPayload: rawPayload, at: time)
        return nil
    }

    /// Stores arrivals from one request or spool file; how each was joined, or nil when they wait in the inbox.
    func arrivals(_ parsed: [ParsedArrival], receiver: String, rawPayload: Data, at time: Date,
                  sourceKey: String? = nil) async throws -> [ReportMatch]? {
        guard queues else {
            return try await engine.ingest(arrivals: parsed, receiver: receiver, rawPayload: rawPayload, at: time, sourceKey: sourceKey)
        }
        try await enqueue(InboxReports(arrivals: parsed, receiver: receiver), rawPayload: rawPayload, at: time, sourceKey: sourceKey)
        return nil
    }

    /// Stores the parts of long messages from one request; for each, its match once whole (nil
    /// while parts are missing), or nil for all when they wait in the inbox.
    func parts(_ parsed: [ParsedArrival], receiver: String, rawPayload: Data, at time: Date) async throws -> [ReportMatch?]? {
        guard queues else {
            var matches: [ReportMatch?] = []
            for part in parsed {
                matches.append(try await engine.ingest(part: part, receiver: receiver, rawPayload: rawPayload, at: time))
            }
            return matches
        }
        try await enqueue(InboxReports(arrivals: parsed, receiver: receiver, kind: .part), rawPayload: rawPayload, at: time)
        return nil
    }

    /// Whether a spool file's arrival is already stored or waiting.
    func hasArrival(sourceKey: String) async throws -> Bool {
        try await engine.hasArrival(sourceKey: sourceKey)
    }

    private func enqueue(_ reports: InboxReports, rawPayload: Data, at time: Date, sourceKey: String? = nil) async throws {
        try await store.enqueue(InboxEntry(receivedAt: time, instance: leadership.holder, reports: try reports.encoded(),
                                           rawPayload: rawPayload, sourceKey: sourceKey))
    }
}

import Foundation
import LastmileBase
import LastmileStore

/// The leader's side of the inbox: joins the reports other instances took in to their canaries,
/// oldest first, each entry removed in the same write that stores its reports. The settlement
/// loop drains it before each settlement, so a report that came in time is joined before its
/// canary's deadline is judged. An entry it cannot read is never removed: it is held, out of
/// the line, until the next takeover, whose leader (perhaps of the version that wrote it) tries again.
struct InboxConsumer: Sendable {
    let engine: CanaryEngine
    let store: CanaryStore
    let leadership: Leadership
    let metrics: DaemonMetrics
    let logger: Logger
    /// Entries read at a time.
    var batch = 200

    /// How long after a deadline the leader waits before judging it: a report another instance
    /// stamped before the deadline may take that long (a busy intake writer) to reach the inbox.
    static let settlementGrace: TimeInterval = 2

    /// What the settlement holds back for the inbox: nothing on a store of one's own.
    var settlementGrace: TimeInterval { store.hasInbox ? Self.settlementGrace : 0 }

    /// Joins every entry waiting now, a batch at a time.
    func drain() async throws {
        guard store.hasInbox else { return }
        // A batch cut short by a lost lease still reports its whole count: the lease ends the loop.
        while leadership.heldTerm != nil, try await consumeOnce() == batch {}
        metrics.setInboxHeld(try await store.reading { try $0.heldInboxCount() })
    }

    /// Puts every held entry back in line, for a new leader to try: called as it takes over.
    func releaseHeld() async throws {
        guard store.hasInbox else { return }
        var change = StoreChange()
        change.releasesHeldInbox = true
        try await store.commit(change)
    }

    /// Joins one batch of waiting entries, in the order their requests were stamped; how many.
    func consumeOnce() async throws -> Int {
        let entries = try await store.reading { [batch] in try $0.inbox(limit: batch) }.sorted { ($0.receivedAt, $0.id) < ($1.receivedAt, $1.id) }
        var requests: [InboxRequest] = []
        for entry in entries {
            // Holding the lease is enough: a takeover drains the inbox before it starts acting, and
            // every write is fenced to the term anyway.
            guard leadership.heldTerm != nil else { break }
            let reports: InboxReports
            do {
                reports = try InboxReports.decode(entry.reports)
                guard !reports.receipts.isEmpty || !reports.arrivals.isEmpty else { throw InboxEntryEmpty() }
            } catch {
                logger.error("inbox entry unreadable; held for a leader that can read it",
                             [("entry", String(entry.id)), ("instance", entry.instance), ("error", "\(error)")])
                // What came before it is joined first, so the order of the rest is kept.
                try await engine.ingest(inbox: requests)
                requests = []
                var change = StoreChange()
                change.heldInbox = [entry.id]
                try await store.commit(change)
                continue
            }
            switch reports.kind {
            case .receipts:
                requests.append(InboxRequest(entry: entry.id, reports: .receipts(reports.parsedReceipts, route: reports.source),
                                             rawPayload: entry.rawPayload, receivedAt: entry.receivedAt))
            case .arrivals:
                requests.append(InboxRequest(entry: entry.id, reports: .arrivals(reports.parsedArrivals, receiver: reports.source),
                                             rawPayload: entry.rawPayload, receivedAt: entry.receivedAt, sourceKey: entry.sourceKey))
            case .part:
                // Parts are kept and assembled one by one: what came before them is joined first.
                try await engine.ingest(inbox: requests)
                requests = []
                let parts = reports.parsedArrivals
                for (index, part) in parts.enumerated() {
                    _ = try await engine.ingest(part: part, receiver: reports.source, rawPayload: entry.rawPayload, at: entry.receivedAt,
                                                consuming: index == parts.count - 1 ? entry.id : nil)
                }
            }
        }
        if !requests.isEmpty { try await engine.ingest(inbox: requests) }
        return entries.count
    }
}

/// An inbox entry that carries no report.
struct InboxEntryEmpty: Error, CustomStringConvertible {
    var description: String { "the entry carries no report" }
}

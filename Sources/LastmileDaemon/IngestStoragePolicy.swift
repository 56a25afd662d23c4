import Foundation
import LastmileCore
import LastmileStore

/// What one inbound request may cost the store. A request's body is stored once whatever it
/// carries; one whose reports all joined nothing new (unmatched or duplicates) keeps only its first
/// `junkPayloadBytes`; and unmatched reports are trimmed to `unmatchedLimit` of each kind, oldest first.
public struct IngestStoragePolicy: Sendable, Hashable {
    /// Unmatched reports kept per kind (receipts, arrivals).
    public var unmatchedLimit: Int
    /// Bytes kept of a request that told nothing new.
    public var junkPayloadBytes: Int

    public init(unmatchedLimit: Int = 10_000, junkPayloadBytes: Int = 16 * 1024) {
        self.unmatchedLimit = unmatchedLimit
        self.junkPayloadBytes = junkPayloadBytes
    }

    /// The payload to store for a request whose reports were joined as `matches`.
    func payload(_ body: Data, matches: [ReportMatch], at time: Date) -> RequestPayload {
        let toldSomething = matches.contains { if case .matched = $0 { return true } else { return false } }
        guard !toldSomething, body.count > junkPayloadBytes else { return RequestPayload(body: body, receivedAt: time) }
        return RequestPayload(body: body.prefix(junkPayloadBytes), truncated: true, receivedAt: time)
    }
}

/// Counts unmatched reports written since the store was last trimmed, so the trim (a walk over
/// `unmatchedLimit` index entries) runs once per `slack` of them rather than on every write.
struct UnmatchedBudget: Sendable {
    var stored: Int
    let slack = 500

    /// The limit to trim to with this write, if it is due; counts the write's unmatched reports.
    mutating func trim(adding count: Int, limit: Int) -> Int? {
        stored += count
        guard stored > limit + slack else { return nil }
        stored = limit
        return limit
    }
}

import Foundation
import LastmileCore

/// A receipt as stored: the parsed report, how it was joined, and the raw request.
public struct StoredReceipt: Sendable, Hashable {
    /// The report's id; also `report.reference`.
    public var id: Int64 { report.reference }
    public var report: ReceiptReport
    /// The canary it joined, if any.
    public var canaryID: String?
    /// Set when it repeated a report already seen.
    public var duplicate: Bool
    /// Set when it joined nothing usable.
    public var unmatchedReason: UnmatchedReason?
    /// The request exactly as received.
    public var rawPayload: Data

    public init(report: ReceiptReport, match: ReportMatch?, rawPayload: Data) {
        self.report = report
        self.rawPayload = rawPayload
        (canaryID, duplicate, unmatchedReason) = StoredMatch.columns(of: match)
    }
}

/// An arrival as stored: the parsed report, how it was joined, and the raw request.
public struct StoredArrival: Sendable, Hashable {
    public var id: Int64 { report.reference }
    public var report: ArrivalReport
    public var canaryID: String?
    public var duplicate: Bool
    public var unmatchedReason: UnmatchedReason?
    public var rawPayload: Data
    /// What names the report at its source (a spool file), so it is never counted twice.
    public var sourceKey: String?

    public init(report: ArrivalReport, match: ReportMatch?, rawPayload: Data, sourceKey: String? = nil) {
        self.report = report
        self.rawPayload = rawPayload
        self.sourceKey = sourceKey
        (canaryID, duplicate, unmatchedReason) = StoredMatch.columns(of: match)
    }
}

/// An earlier unmatched receipt that has now joined its canary.
public struct ReceiptClaim: Sendable, Hashable {
    public var receiptID: Int64
    public var canaryID: String

    public init(receiptID: Int64, canaryID: String) {
        self.receiptID = receiptID
        self.canaryID = canaryID
    }
}

/// One part of a concatenated message, kept until the whole message is in.
public struct StoredPart: Sendable, Hashable {
    public var receiver: String
    public var sender: String
    public var reference: String
    public var total: Int
    public var part: Int
    public var body: String
    public var reportedAt: Date?
    public var ingestedAt: Date
    public var rawPayload: Data

    public init(receiver: String, sender: String, reference: String, total: Int, part: Int, body: String,
                reportedAt: Date?, ingestedAt: Date, rawPayload: Data) {
        self.receiver = receiver
        self.sender = sender
        self.reference = reference
        self.total = total
        self.part = part
        self.body = body
        self.reportedAt = reportedAt
        self.ingestedAt = ingestedAt
        self.rawPayload = rawPayload
    }
}

/// Everything one event changed, written in one committed write.
public struct StoreChange: Sendable {
    public var canaries: [Canary]
    public var receipts: [StoredReceipt]
    public var arrivals: [StoredArrival]
    public var claims: [ReceiptClaim]
    /// Parts to keep (a repeated part is ignored).
    public var parts: [StoredPart] = []
    /// Assembled messages whose parts can go: (receiver, sender, reference).
    public var assembled: [(receiver: String, sender: String, reference: String)] = []
    /// The request the change's reports came in, stored once for all of them (in the row of the
    /// only report, when there is one and the body is whole); each report's own `rawPayload` is
    /// then not stored.
    public var payload: RequestPayload?
    /// Unmatched reports of each kind to keep at most, oldest removed first, when a flood must be trimmed.
    public var trimUnmatchedTo: Int?
    /// Inbox entries this change consumed: removed in the same write, so each is joined exactly once.
    public var consumedInbox: [Int64] = []
    /// Inbox entries the leader could not read (written by another version, or damaged): kept,
    /// and set aside so they do not block those behind them, until the next takeover.
    public var heldInbox: [Int64] = []
    /// Puts every held inbox entry back in line: a new leader, perhaps of another version, tries them again.
    public var releasesHeldInbox = false

    public init(canaries: [Canary] = [], receipts: [StoredReceipt] = [], arrivals: [StoredArrival] = [],
                claims: [ReceiptClaim] = []) {
        self.canaries = canaries
        self.receipts = receipts
        self.arrivals = arrivals
        self.claims = claims
    }

    /// The change a correlator step asks for, plus the reports that caused it.
    public init(_ result: CorrelationResult, receipts: [StoredReceipt] = [], arrivals: [StoredArrival] = []) {
        self.init(canaries: result.changed, receipts: receipts, arrivals: arrivals,
                  claims: result.claimedReceipts.map { ReceiptClaim(receiptID: $0.reference, canaryID: $0.canaryID) })
    }

    public var isEmpty: Bool {
        canaries.isEmpty && receipts.isEmpty && arrivals.isEmpty && claims.isEmpty && parts.isEmpty && assembled.isEmpty
            && consumedInbox.isEmpty && heldInbox.isEmpty && !releasesHeldInbox
    }
}

/// The raw body of one inbound request (or spool file), as stored.
public struct RequestPayload: Sendable, Hashable {
    public var body: Data
    /// Whether `body` is only the first bytes of what came.
    public var truncated: Bool
    public var receivedAt: Date

    public init(body: Data, truncated: Bool = false, receivedAt: Date) {
        self.body = body
        self.truncated = truncated
        self.receivedAt = receivedAt
    }
}

/// How a report's match is kept in its row: the canary, the duplicate flag, the unmatched reason.
enum StoredMatch {
    static func columns(of match: ReportMatch?) -> (canaryID: String?, duplicate: Bool, unmatchedReason: UnmatchedReason?) {
        switch match {
        case .matched(let id)?: return (id, false, nil)
        case .duplicate(let id)?: return (id, true, nil)
        case .unmatched(let reason, let id)?: return (id, false, reason)
        case nil: return (nil, false, nil)
        }
    }
}

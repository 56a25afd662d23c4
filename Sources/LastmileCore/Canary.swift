import Foundation

/// Where a canary is in its life.
public enum CanaryState: String, Hashable, Sendable, Codable {
    /// Written before the provider is called; no answer yet.
    case submitting
    /// The API answered (or the answer was lost to a restart).
    case submitted
    /// The verdict is decided.
    case settled
}

/// The first arrival of a canary, as used for its verdict.
public struct ArrivalRecord: Hashable, Sendable, Codable {
    public var ingestedAt: Date
    public var reportedAt: Date?
    /// Seconds from submit start, by the receiver's chosen clock (ingest time when that clock is unusable).
    public var latency: TimeInterval
    public var from: String
    public var body: String

    public init(ingestedAt: Date, reportedAt: Date?, latency: TimeInterval, from: String, body: String) {
        self.ingestedAt = ingestedAt
        self.reportedAt = reportedAt
        self.latency = latency
        self.from = from
        self.body = body
    }
}

/// One canary: its plan and everything learnt about it so far.
///
/// A value with its fields in one shared box, copied only when a copy is changed (as `Array`
/// is): the correlator hands every canary it changes to the store, the metrics and the
/// detectors, and copying a few hundred bytes and a dozen references for each report was about
/// a tenth of a match.
public struct Canary: Hashable, Sendable, Codable {
    /// What a canary knows; encoded as the canary itself.
    struct Fields: Hashable, Sendable, Codable {
        var plan: CanaryPlan
        var submitStartedAt: Date
        var submitEndedAt: Date?
        var submit: SubmitAnswer?
        var receiptStatus: ReceiptStatus?
        var receiptRawStatus: String?
        var receiptCount: Int
        var arrival: ArrivalRecord?
        var verdict: Verdict?
        var settledAt: Date?
        var facts: CanaryFacts
        var duplicateCount: Int
        var seenReceipts: Set<String> = []
    }

    /// The box of one canary's fields. Written only through `Canary`'s accessors, and only
    /// once `isKnownUniquelyReferenced` has made it this value's own, so no box is ever written
    /// while another value, on this thread or any other, can read it.
    final class Box: @unchecked Sendable {
        // Every write is through a uniquely held box (see above), so the runtime's check for
        // overlapping accesses, which costs a tenth of a match, guards nothing here.
        @exclusivity(unchecked) var fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private var box: Box

    /// The fields, to change in place: the box is copied first if another value shares it.
    private var fields: Fields {
        get { box.fields }
        _modify {
            if !isKnownUniquelyReferenced(&box) { box = Box(box.fields) }
            yield &box.fields
        }
    }

    public var plan: CanaryPlan {
        _read { yield box.fields.plan }
        _modify { yield &fields.plan }
    }
    /// Lastmile's clock when the submit began.
    public var submitStartedAt: Date {
        _read { yield box.fields.submitStartedAt }
        _modify { yield &fields.submitStartedAt }
    }
    /// Lastmile's clock when the API answered.
    public var submitEndedAt: Date? {
        _read { yield box.fields.submitEndedAt }
        _modify { yield &fields.submitEndedAt }
    }
    /// The API's answer; nil while submitting.
    public var submit: SubmitAnswer? {
        _read { yield box.fields.submit }
        _modify { yield &fields.submit }
    }
    /// The strongest receipt status seen (see `ReceiptStatus.rank`).
    public var receiptStatus: ReceiptStatus? {
        _read { yield box.fields.receiptStatus }
        _modify { yield &fields.receiptStatus }
    }
    /// The provider's words for `receiptStatus`.
    public var receiptRawStatus: String? {
        _read { yield box.fields.receiptRawStatus }
        _modify { yield &fields.receiptRawStatus }
    }
    /// Number of receipts that matched, duplicates included.
    public var receiptCount: Int {
        _read { yield box.fields.receiptCount }
        _modify { yield &fields.receiptCount }
    }
    /// The first arrival.
    public var arrival: ArrivalRecord? {
        _read { yield box.fields.arrival }
        _modify { yield &fields.arrival }
    }
    public var verdict: Verdict? {
        _read { yield box.fields.verdict }
        _modify { yield &fields.verdict }
    }
    public var settledAt: Date? {
        _read { yield box.fields.settledAt }
        _modify { yield &fields.settledAt }
    }
    public var facts: CanaryFacts {
        _read { yield box.fields.facts }
        _modify { yield &fields.facts }
    }
    /// Reports that repeated one already seen.
    public var duplicateCount: Int {
        _read { yield box.fields.duplicateCount }
        _modify { yield &fields.duplicateCount }
    }
    /// Receipts already seen, as status|raw status|error code, to recognise repeats.
    public var seenReceipts: Set<String> {
        _read { yield box.fields.seenReceipts }
        _modify { yield &fields.seenReceipts }
    }

    public init(plan: CanaryPlan, submitStartedAt: Date) {
        box = Box(Fields(plan: plan, submitStartedAt: submitStartedAt, receiptCount: 0, facts: [], duplicateCount: 0))
    }

    public init(from decoder: any Decoder) throws {
        box = Box(try Fields(from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        try box.fields.encode(to: encoder)
    }

    /// Two canaries sharing a box are equal without a look at their fields (so one whose
    /// latency is NaN equals itself).
    public static func == (lhs: Canary, rhs: Canary) -> Bool {
        lhs.box === rhs.box || lhs.box.fields == rhs.box.fields
    }

    public func hash(into hasher: inout Hasher) {
        box.fields.hash(into: &hasher)
    }

    public var id: String { plan.id }

    public var state: CanaryState {
        if verdict != nil { return .settled }
        return submit == nil ? .submitting : .submitted
    }

    /// The instant after which a canary with no arrival settles.
    public var deadlineAt: Date { submitStartedAt.addingTimeInterval(plan.deadline) }

    /// Whether it is still open at `time` although its deadline has passed.
    public func isOverdue(at time: Date) -> Bool { verdict == nil && time >= deadlineAt }
}


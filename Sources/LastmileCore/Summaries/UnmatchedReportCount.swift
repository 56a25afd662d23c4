import Foundation

/// How many inbound reports of one kind, from one source, joined no canary over a period, and why.
/// Such reports are kept in the store; a report counts them so a broken sender or a changed
/// body template shows up.
public struct UnmatchedReportCount: Sendable, Hashable {
    /// What kind of report went unmatched.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case receipt, arrival
    }

    public var kind: Kind
    /// The route a receipt came in on, or the receiver an arrival came to.
    public var source: String
    public var reason: UnmatchedReason
    public var count: Int

    public init(kind: Kind, source: String, reason: UnmatchedReason, count: Int) {
        self.kind = kind
        self.source = source
        self.reason = reason
        self.count = count
    }
}

extension UnmatchedReason {
    /// The reason in words, for reports.
    public var words: String {
        switch self {
        case .noToken: return "no token in the body"
        case .unknownToken: return "a token no canary has"
        case .unknownMessageID: return "a message id no canary has"
        case .afterSettlement: return "came after the canary settled"
        }
    }
}

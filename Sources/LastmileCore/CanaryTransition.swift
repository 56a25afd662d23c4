/// Something that happened to a canary in one correlator step, for counting.
public struct CanaryTransition: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// The canary was handed to its provider.
        case started
        /// The API answered.
        case answered(SubmitOutcome)
        /// The first final receipt came (later ones do not count again).
        case finalReceipt(ReceiptStatus)
        /// Facts newly known.
        case factsAdded(Set<CanaryFact>)
        /// The verdict was decided.
        case settled(Verdict)
    }

    public var canaryID: String
    public var kind: Kind

    public init(canaryID: String, kind: Kind) {
        self.canaryID = canaryID
        self.kind = kind
    }

    /// What changed between two states of one canary.
    static func between(_ old: Canary?, _ new: Canary) -> [CanaryTransition] {
        var kinds: [Kind] = []
        if old == nil { kinds.append(.started) }
        if old?.submit == nil, let outcome = new.submit?.outcome { kinds.append(.answered(outcome)) }
        if old?.receiptStatus?.isFinal != true, let status = new.receiptStatus, status.isFinal {
            kinds.append(.finalReceipt(status))
        }
        let added = new.facts.subtracting(old?.facts ?? [])
        if !added.isEmpty { kinds.append(.factsAdded(added)) }
        if old?.verdict == nil, let verdict = new.verdict { kinds.append(.settled(verdict)) }
        return kinds.map { CanaryTransition(canaryID: new.id, kind: $0) }
    }
}

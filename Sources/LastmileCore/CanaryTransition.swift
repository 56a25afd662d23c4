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
        case factsAdded(CanaryFacts)
        /// The verdict was decided.
        case settled(Verdict)
    }

    public var canaryID: String
    public var kind: Kind

    public init(canaryID: String, kind: Kind) {
        self.canaryID = canaryID
        self.kind = kind
    }

    /// What `append` needs to know of a canary's state before a step: enough to tell what
    /// the step changed without a copy of the whole canary.
    struct Prior {
        var held = false
        var answered = false
        var finalReceipt = false
        var facts = CanaryFacts()
        var verdict: Verdict?

        init(_ canary: borrowing Canary) {
            held = true
            answered = canary.submit != nil
            finalReceipt = canary.receiptStatus?.isFinal == true
            facts = canary.facts
            verdict = canary.verdict
        }

        private init() {}

        /// Before a canary was held.
        static let none = Prior()
    }

    /// What changed between two states of one canary.
    static func between(_ old: Canary?, _ new: Canary) -> [CanaryTransition] {
        var transitions: [CanaryTransition] = []
        append(from: old.map { Prior($0) } ?? .none, new, to: &transitions)
        return transitions
    }

    /// Appends what changed since `old` in the canary now `new` to `transitions`, without an
    /// array of its own (the correlator does this for every report).
    static func append(from old: Prior, _ new: borrowing Canary, to transitions: inout [CanaryTransition]) {
        // A step makes up to four; growing one at a time would reallocate.
        if transitions.capacity == 0 { transitions.reserveCapacity(4) }
        if !old.held { transitions.append(CanaryTransition(canaryID: new.id, kind: .started)) }
        if !old.answered, let outcome = new.submit?.outcome {
            transitions.append(CanaryTransition(canaryID: new.id, kind: .answered(outcome)))
        }
        if !old.finalReceipt, let status = new.receiptStatus, status.isFinal {
            transitions.append(CanaryTransition(canaryID: new.id, kind: .finalReceipt(status)))
        }
        if !new.facts.isEmpty, new.facts != old.facts {
            let added = new.facts.subtracting(old.facts)
            if !added.isEmpty { transitions.append(CanaryTransition(canaryID: new.id, kind: .factsAdded(added))) }
        }
        if old.verdict == nil, let verdict = new.verdict {
            transitions.append(CanaryTransition(canaryID: new.id, kind: .settled(verdict)))
        }
    }
}

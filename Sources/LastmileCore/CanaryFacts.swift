/// A set of `CanaryFact`s in one word: a canary carries one, and the correlator adds to it at
/// almost every report, which a `Set` would do with an allocation. It encodes as the array of
/// its facts, as a `Set<CanaryFact>` would, and iterates in declaration order.
public struct CanaryFacts: SetAlgebra, Sequence, Hashable, Sendable, Codable {
    public typealias Element = CanaryFact

    private var bits: UInt32

    public init() { bits = 0 }

    public init<S: Sequence>(_ facts: S) where S.Element == CanaryFact {
        bits = 0
        for fact in facts { bits |= Self.bit(fact) }
    }

    private init(bits: UInt32) { self.bits = bits }

    private static let all = CanaryFact.allCases

    private static func bit(_ fact: CanaryFact) -> UInt32 { 1 << UInt32(fact.ordinal) }

    public var isEmpty: Bool { bits == 0 }
    public var count: Int { bits.nonzeroBitCount }

    public func contains(_ fact: CanaryFact) -> Bool { bits & Self.bit(fact) != 0 }

    public func union(_ other: CanaryFacts) -> CanaryFacts { CanaryFacts(bits: bits | other.bits) }
    public func intersection(_ other: CanaryFacts) -> CanaryFacts { CanaryFacts(bits: bits & other.bits) }
    public func symmetricDifference(_ other: CanaryFacts) -> CanaryFacts { CanaryFacts(bits: bits ^ other.bits) }
    public func subtracting(_ other: CanaryFacts) -> CanaryFacts { CanaryFacts(bits: bits & ~other.bits) }

    @discardableResult
    public mutating func insert(_ fact: CanaryFact) -> (inserted: Bool, memberAfterInsert: CanaryFact) {
        let inserted = !contains(fact)
        bits |= Self.bit(fact)
        return (inserted, fact)
    }

    @discardableResult
    public mutating func remove(_ fact: CanaryFact) -> CanaryFact? {
        guard contains(fact) else { return nil }
        bits &= ~Self.bit(fact)
        return fact
    }

    @discardableResult
    public mutating func update(with fact: CanaryFact) -> CanaryFact? {
        let present = contains(fact)
        bits |= Self.bit(fact)
        return present ? fact : nil
    }

    public mutating func formUnion(_ other: CanaryFacts) { bits |= other.bits }
    public mutating func formIntersection(_ other: CanaryFacts) { bits &= other.bits }
    public mutating func formSymmetricDifference(_ other: CanaryFacts) { bits ^= other.bits }
    public mutating func subtract(_ other: CanaryFacts) { bits &= ~other.bits }

    public func makeIterator() -> some IteratorProtocol<CanaryFact> {
        let bits = bits
        return Self.all.lazy.enumerated().filter { bits & (1 << UInt32($0.offset)) != 0 }.map(\.element).makeIterator()
    }

    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode([CanaryFact].self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Array(self))
    }
}

extension CanaryFact {
    /// The position in `allCases` (declaration order): the fact's bit in `CanaryFacts`.
    var ordinal: Int {
        switch self {
        case .falseReceipt: 0
        case .honestFailure: 1
        case .silence: 2
        case .receiptFailedButArrived: 3
        case .apiErrorButArrived: 4
        case .apiRejectedButArrived: 5
        case .alteredBody: 6
        case .alteredSender: 7
        case .arrivedAfterSettlement: 8
        case .duplicateArrival: 9
        case .duplicateReceipt: 10
        case .conflictingReceipts: 11
        case .negativeLatency: 12
        case .absurdLatency: 13
        }
    }
}

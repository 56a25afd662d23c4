import Foundation
import Testing
@testable import LastmileCore

@Suite struct CanaryFactsTests {
    @Test func everyFactHasItsOwnBitAndIteratesInDeclarationOrder() {
        var facts = CanaryFacts()
        for (count, fact) in CanaryFact.allCases.enumerated() {
            #expect(!facts.contains(fact))
            #expect(facts.insert(fact).inserted)
            #expect(facts.count == count + 1)
            #expect(!facts.insert(fact).inserted)
        }
        #expect(Array(facts) == CanaryFact.allCases)
        #expect(CanaryFact.allCases.map(\.ordinal) == Array(CanaryFact.allCases.indices))
        #expect(facts.remove(.silence) == .silence)
        #expect(facts.remove(.silence) == nil)
        #expect(!facts.contains(.silence) && facts.count == CanaryFact.allCases.count - 1)
    }

    @Test func setAlgebraAgreesWithASet() {
        let all = CanaryFact.allCases
        var random = SeededRandom(seed: 11)
        for _ in 0..<200 {
            let left = Set(all.filter { _ in random.chance(0.5) }), right = Set(all.filter { _ in random.chance(0.5) })
            let a = CanaryFacts(left), b = CanaryFacts(right)
            #expect(Set(a.union(b)) == left.union(right))
            #expect(Set(a.intersection(b)) == left.intersection(right))
            #expect(Set(a.subtracting(b)) == left.subtracting(right))
            #expect(Set(a.symmetricDifference(b)) == left.symmetricDifference(right))
            #expect((a == b) == (left == right))
        }
    }

    @Test func encodesAsTheArrayASetWould() throws {
        let facts: CanaryFacts = [.silence, .alteredBody]
        let data = try JSONEncoder().encode(facts)
        let names = try JSONDecoder().decode([String].self, from: data)
        #expect(Set(names) == ["silence", "altered_body"])
        #expect(try JSONDecoder().decode(CanaryFacts.self, from: data) == facts)
        let fromSet = try JSONEncoder().encode(Set<CanaryFact>([.falseReceipt]))
        #expect(try JSONDecoder().decode(CanaryFacts.self, from: fromSet) == [.falseReceipt])
    }
}

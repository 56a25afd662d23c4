import Testing
@testable import LastmileCore

@Suite struct TokenSlotTableTests {
    /// Tokens come and go in random order, many sharing a home (a small payload range), and the
    /// table always agrees with a dictionary: backward-shift deletion loses no entry.
    @Test func agreesWithADictionaryThroughInsertsAndRemovals() {
        var table = TokenSlotTable()
        var model: [Token: Int32] = [:]
        var random = SeededRandom(seed: 5)
        for step in 0..<40_000 {
            let token = Token(payload: UInt64.random(in: 0..<3_000, using: &random))
            if random.chance(0.55) {
                let slot = Int32(step)
                table[token] = slot
                model[token] = slot
            } else {
                table[token] = nil
                model[token] = nil
            }
            if step % 97 == 0 {
                for payload in UInt64(0)..<3_000 {
                    let probe = Token(payload: payload)
                    #expect(table[probe] == model[probe], "payload \(payload) at step \(step)")
                }
                #expect(table.count == model.count)
            }
        }
    }

    @Test func growsFarPastItsFirstSize() {
        var table = TokenSlotTable()
        for index in 0..<100_000 { table[Token(payload: UInt64(index) * 7_919)] = Int32(index) }
        #expect(table.count == 100_000)
        #expect(table[Token(payload: 99_999 * 7_919)] == 99_999)
        #expect(table[Token(payload: 1)] == nil)
    }
}

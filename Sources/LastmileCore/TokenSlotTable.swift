/// The correlator's slot for each token: an open-addressing table in one array, since a
/// `Dictionary` keeps keys, values and occupancy apart and an arrival that looks one token up
/// among 100,000 would wait on memory three times instead of once. A token's payload is random
/// (a caller cannot choose which tokens are held), and it is mixed by a multiply all the same.
struct TokenSlotTable: Sendable {
    private struct Entry: Sendable {
        /// The token's payload plus one; zero marks an empty entry.
        var key: UInt64
        var slot: Int32
    }

    private var entries: [Entry] = Array(repeating: Entry(key: 0, slot: 0), count: 16)
    private(set) var count = 0

    private var mask: Int { entries.count - 1 }

    subscript(token: Token) -> Int32? {
        get {
            let key = token.payload + 1
            var index = Self.home(of: key, mask: mask)
            while true {
                let entry = entries[index]
                if entry.key == key { return entry.slot }
                if entry.key == 0 { return nil }
                index = (index + 1) & mask
            }
        }
        set {
            if let slot = newValue { insert(token, slot) } else { remove(token) }
        }
    }

    private static func home(of key: UInt64, mask: Int) -> Int {
        // Payloads are random, but mix anyway so that a table never depends on it.
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 24) & mask
    }

    private mutating func insert(_ token: Token, _ slot: Int32) {
        if (count + 1) * 2 > entries.count { grow() }
        let key = token.payload + 1
        var index = Self.home(of: key, mask: mask)
        while entries[index].key != 0 && entries[index].key != key { index = (index + 1) & mask }
        if entries[index].key == 0 { count += 1 }
        entries[index] = Entry(key: key, slot: slot)
    }

    private mutating func remove(_ token: Token) {
        let key = token.payload + 1
        var index = Self.home(of: key, mask: mask)
        while entries[index].key != key {
            if entries[index].key == 0 { return }
            index = (index + 1) & mask
        }
        count -= 1
        // Backward-shift deletion: move later entries of the probe run into the hole, so that
        // no tombstone is left and lookups stay short however many tokens come and go.
        var hole = index
        var next = (hole + 1) & mask
        while entries[next].key != 0 {
            let home = Self.home(of: entries[next].key, mask: mask)
            // The entry may move to the hole unless its home lies cyclically in (hole, next].
            let stays = hole <= next ? (home > hole && home <= next) : (home > hole || home <= next)
            if !stays {
                entries[hole] = entries[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        entries[hole] = Entry(key: 0, slot: 0)
    }

    private mutating func grow() {
        let old = entries
        entries = Array(repeating: Entry(key: 0, slot: 0), count: old.count * 2)
        count = 0
        for entry in old where entry.key != 0 { insert(Token(payload: entry.key - 1), entry.slot) }
    }
}

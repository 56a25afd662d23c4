/// A TOML table: keys in document order, each with where its key was written.
public struct TOMLTable: Sendable, Equatable {
    /// One key of a table.
    public struct Entry: Sendable, Equatable {
        public var key: String
        /// Where the key was written (for a table made by a header, the header's key).
        public var keyPosition: TOMLPosition
        public var node: TOMLNode

        public static func == (lhs: Entry, rhs: Entry) -> Bool { lhs.key == rhs.key && lhs.node == rhs.node }
    }

    /// The entries in the order they were first written.
    public private(set) var entries: [Entry] = []
    private var indexByKey: [String: Int] = [:]
    /// Where the table was opened (its header, brace, or first dotted key).
    public var position: TOMLPosition

    public init(position: TOMLPosition = TOMLPosition(line: 1, column: 1)) {
        self.position = position
    }

    public var keys: [String] { entries.map(\.key) }
    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }

    /// The entry for `key`.
    public func entry(_ key: String) -> Entry? { indexByKey[key].map { entries[$0] } }

    /// The value for `key`.
    public subscript(key: String) -> TOMLValue? { entry(key)?.node.value }

    /// Adds or replaces an entry.
    public mutating func set(_ key: String, _ node: TOMLNode, keyPosition: TOMLPosition) {
        let entry = Entry(key: key, keyPosition: keyPosition, node: node)
        if let index = indexByKey[key] {
            entries[index] = entry
        } else {
            indexByKey[key] = entries.count
            entries.append(entry)
        }
    }

    /// Tables compare by their key-value pairs, regardless of order.
    public static func == (lhs: TOMLTable, rhs: TOMLTable) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.entries.allSatisfy { rhs.entry($0.key)?.node == $0.node }
    }
}

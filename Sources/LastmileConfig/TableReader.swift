import TOML

/// Reads one TOML table of the config, reporting wrong types and missing keys,
/// and remembering which keys it was asked for so the rest can be reported as unknown.
final class TableReader {
    let table: TOMLTable
    /// Where this table is, for messages: `route "us-longcode"`, `[server]`.
    var context: String
    let file: String
    let log: DiagnosticLog
    private var known: [String] = []

    init(_ table: TOMLTable, context: String, file: String, log: DiagnosticLog) {
        self.table = table
        self.context = context
        self.file = file
        self.log = log
    }

    var location: SourceLocation { SourceLocation(file: file, position: table.position) }

    func location(of node: TOMLNode) -> SourceLocation { SourceLocation(file: file, position: node.position) }

    func location(ofKey key: String) -> SourceLocation {
        SourceLocation(file: file, position: table.entry(key)?.keyPosition ?? table.position)
    }

    /// The node for `key`, marking the key as known.
    func node(_ key: String) -> TOMLNode? {
        known.append(key)
        return table.entry(key)?.node
    }

    func missing(_ key: String) {
        log.error("\(context) is missing the required key \"\(key)\"", at: location)
    }

    func wrongType(_ key: String, _ node: TOMLNode, expected: String) {
        log.error("\(context): \"\(key)\" must be \(expected), not \(article(node.value.typeName))", at: location(of: node))
    }

    /// Reports every key that no accessor asked for, with a suggestion when one is close.
    func reportUnknownKeys() {
        for entry in table.entries where !known.contains(entry.key) {
            log.error("\(context): unknown key \"\(entry.key)\"\(Suggestion.hint(for: entry.key, among: known))",
                      at: SourceLocation(file: file, position: entry.keyPosition))
        }
    }
}

func article(_ noun: String) -> String {
    (noun.first.map { "aeiou".contains($0) } ?? false ? "an " : "a ") + noun
}

/// A value together with where it was written.
public struct Located<Value: Sendable & Hashable>: Sendable, Hashable {
    public var value: Value
    public var location: SourceLocation

    public init(_ value: Value, at location: SourceLocation) {
        self.value = value
        self.location = location
    }
}

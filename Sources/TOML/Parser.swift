/// The recursive-descent reader behind `TOMLDecoder`, over UTF-8 bytes.
struct Parser {
    let bytes: [UInt8]
    var index = 0
    /// Byte offsets where each line starts, for turning offsets into positions.
    private let lineStarts: [Int]
    let root: TableBuilder
    var current: TableBuilder
    var depth = 0
    /// The depth of the table whose value is being read, for inline tables inside it.
    var tableDepth = 0

    init(bytes: [UInt8]) {
        // A byte-order mark is no column: the first line starts after it.
        let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var starts = [start]
        for (offset, byte) in bytes.enumerated() where byte == 0x0A { starts.append(offset + 1) }
        lineStarts = starts
        self.bytes = bytes
        index = start
        root = TableBuilder(origin: .root, position: TOMLPosition(line: 1, column: 1))
        current = root
    }

    // MARK: Positions and errors

    func position(of offset: Int) -> TOMLPosition {
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        // Counted on from the last position asked on this line, if it came before: the parser asks
        // in order, so a line of a million values costs one pass, not a million.
        var column = 1
        var cursor = lineStarts[low]
        let last = columns.last
        if last.line == low, last.offset <= offset {
            column = last.column
            cursor = last.offset
        }
        while cursor < offset && cursor < bytes.count {
            if bytes[cursor] & 0xC0 != 0x80 { column += 1 }
            cursor += 1
        }
        columns.last = (low, cursor, column)
        return TOMLPosition(line: low + 1, column: column)
    }

    /// The last position `position(of:)` counted.
    private final class ColumnMemo {
        var last: (line: Int, offset: Int, column: Int) = (-1, 0, 1)
    }

    private let columns = ColumnMemo()

    var here: TOMLPosition { position(of: index) }

    func error(_ message: String, at offset: Int? = nil) -> TOMLError {
        TOMLError(message, at: position(of: offset ?? index))
    }

    // MARK: Bytes

    var atEnd: Bool { index >= bytes.count }
    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }
    func peek(_ ahead: Int) -> UInt8? { index + ahead < bytes.count ? bytes[index + ahead] : nil }

    func describe(_ byte: UInt8?) -> String {
        guard let byte else { return "end of file" }
        switch byte {
        case 0x0A: return "newline"
        case 0x0D: return "carriage return"
        case 0x09: return "tab"
        case 0x20...0x7E: return "'\(Character(Unicode.Scalar(byte)))'"
        default: return byte < 0x80 ? "control character U+\(hex(byte))" : "'\(characterAt(index))'"
        }
    }

    func characterAt(_ offset: Int) -> String {
        var end = offset + 1
        while end < bytes.count && bytes[end] & 0xC0 == 0x80 { end += 1 }
        return String(decoding: bytes[offset..<min(end, bytes.count)], as: UTF8.self)
    }

    func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }

    mutating func skipWhitespace() {
        while let byte = peek, byte == 0x20 || byte == 0x09 { index += 1 }
    }

    /// Consumes a newline (LF or CRLF) if one is next.
    mutating func consumeNewline() throws(TOMLError) -> Bool {
        if peek == 0x0A { index += 1; return true }
        if peek == 0x0D {
            guard peek(1) == 0x0A else { throw error("carriage return not followed by a newline") }
            index += 2
            return true
        }
        return false
    }

    /// Consumes a comment if one is next: `#` to the end of the line.
    mutating func skipComment() throws(TOMLError) {
        guard peek == UInt8(ascii: "#") else { return }
        index += 1
        while let byte = peek, byte != 0x0A {
            if byte == 0x0D && peek(1) == 0x0A { return }
            if (byte < 0x20 && byte != 0x09) || byte == 0x7F {
                throw error("control character U+\(hex(byte)) in a comment")
            }
            index += 1
        }
    }

    /// Skips whitespace, comments and newlines (inside arrays).
    mutating func skipBlank() throws(TOMLError) {
        while true {
            skipWhitespace()
            try skipComment()
            if try !consumeNewline() { return }
        }
    }

    /// Requires the rest of the line to be blank or a comment.
    mutating func expectEndOfLine() throws(TOMLError) {
        skipWhitespace()
        try skipComment()
        if atEnd { return }
        if try !consumeNewline() {
            throw error("expected a newline after the value, found \(describe(peek))")
        }
    }

    // MARK: Document

    mutating func parseDocument() throws(TOMLError) -> TOMLTable {
        while true {
            skipWhitespace()
            guard let byte = peek else { break }
            switch byte {
            case UInt8(ascii: "#"):
                try skipComment()
                try expectEndOfLine()
            case 0x0A, 0x0D:
                _ = try consumeNewline()
            case UInt8(ascii: "["):
                try parseHeader()
                try expectEndOfLine()
            default:
                try parseKeyValue(into: current)
                try expectEndOfLine()
            }
        }
        return root.build()
    }

    // MARK: Keys

    typealias Key = (name: String, position: TOMLPosition)

    mutating func parseKey() throws(TOMLError) -> [Key] {
        var parts: [Key] = []
        while true {
            skipWhitespace()
            parts.append(try parseSimpleKey())
            skipWhitespace()
            guard peek == UInt8(ascii: ".") else { return parts }
            guard parts.count < TOMLDecoder.maximumNesting else {
                throw error("a key has more than \(TOMLDecoder.maximumNesting) dotted parts")
            }
            index += 1
        }
    }

    mutating func parseSimpleKey() throws(TOMLError) -> Key {
        let start = index
        let position = here
        switch peek {
        case UInt8(ascii: "\""):
            if peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") {
                throw error("a key cannot be a multi-line string")
            }
            return (try parseBasicString(), position)
        case UInt8(ascii: "'"):
            if peek(1) == UInt8(ascii: "'"), peek(2) == UInt8(ascii: "'") {
                throw error("a key cannot be a multi-line string")
            }
            return (try parseLiteralString(), position)
        default:
            while let byte = peek, Self.isBareKeyByte(byte) { index += 1 }
            guard index > start else {
                throw error(peek == nil || peek == 0x0A || peek == 0x0D || peek == UInt8(ascii: "=")
                            ? "expected a key" : "invalid character \(describe(peek)) in a key")
            }
            return (String(decoding: bytes[start..<index], as: UTF8.self), position)
        }
    }

    static func isBareKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    static func dotted(_ keys: [Key]) -> String {
        keys.map { key in
            key.name.utf8.allSatisfy(isBareKeyByte) && !key.name.isEmpty ? key.name : "\"\(key.name)\""
        }.joined(separator: ".")
    }

    // MARK: Key/value pairs

    /// Reads `key = value` and stores it in `table`, creating dotted tables on the way.
    mutating func parseKeyValue(into table: TableBuilder) throws(TOMLError) {
        let keyStart = index
        let keys = try parseKey()
        skipWhitespace()
        guard peek == UInt8(ascii: "=") else {
            throw error("expected '=' after the key \(Self.dotted(keys)), found \(describe(peek))")
        }
        index += 1
        skipWhitespace()
        let valueStart = index
        guard let byte = peek, byte != 0x0A, byte != 0x0D, byte != UInt8(ascii: "#") else {
            throw error("expected a value for the key \(Self.dotted(keys))")
        }
        var target = table
        for (offset, key) in keys.dropLast().enumerated() {
            switch target[key.name] {
            case nil:
                let child = try self.table(under: target, origin: .dotted, position: key.position, at: keyStart)
                target[key.name] = .table(child, keyPosition: key.position)
                target = child
            case .table(let child, _) where child.origin == .dotted:
                target = child
            case .table(let child, _) where child.origin == .inline:
                throw error("cannot add keys to the inline table \(Self.dotted(Array(keys[...offset])))", at: keyStart)
            default:
                throw error("the key \(Self.dotted(Array(keys[...offset]))) is already defined", at: keyStart)
            }
        }
        let last = keys[keys.count - 1]
        guard target[last.name] == nil else {
            throw error("the key \(Self.dotted(keys)) is already defined", at: keyStart)
        }
        let outerDepth = tableDepth
        tableDepth = target.depth
        defer { tableDepth = outerDepth }
        if peek == UInt8(ascii: "{") {
            let inline = try parseInlineTable()
            target[last.name] = .table(inline, keyPosition: last.position)
        } else {
            let position = position(of: valueStart)
            let value = try parseValue()
            target[last.name] = .value(TOMLNode(value, at: position), keyPosition: last.position)
        }
    }

    /// A new table inside `parent`, refused beyond the nesting limit.
    func table(under parent: TableBuilder, origin: TableBuilder.Origin, position: TOMLPosition,
               at offset: Int) throws(TOMLError) -> TableBuilder {
        guard parent.depth < TOMLDecoder.maximumNesting else {
            throw error("tables nest deeper than \(TOMLDecoder.maximumNesting) levels", at: offset)
        }
        return TableBuilder(origin: origin, position: position, depth: parent.depth + 1)
    }

    // MARK: Headers

    mutating func parseHeader() throws(TOMLError) {
        let start = index
        index += 1
        let isArray = peek == UInt8(ascii: "[")
        if isArray { index += 1 }
        let keys = try parseKey()
        guard peek == UInt8(ascii: "]") else {
            throw error("expected ']' to close the table header, found \(describe(peek))")
        }
        index += 1
        if isArray {
            guard peek == UInt8(ascii: "]") else { throw error("expected ']]' to close the array of tables header") }
            index += 1
        }
        let headerPosition = position(of: start)
        var table = root
        for (offset, key) in keys.dropLast().enumerated() {
            switch table[key.name] {
            case nil:
                let child = try self.table(under: table, origin: .implicit, position: key.position, at: start)
                table[key.name] = .table(child, keyPosition: key.position)
                table = child
            case .table(let child, _):
                guard child.origin != .inline else {
                    throw error("cannot add to the inline table \(Self.dotted(Array(keys[...offset])))", at: start)
                }
                table = child
            case .arrayOfTables(let children, _):
                table = children[children.count - 1]
            case .value:
                throw error("the key \(Self.dotted(Array(keys[...offset]))) is already a value, not a table", at: start)
            }
        }
        let last = keys[keys.count - 1]
        let name = Self.dotted(keys)
        if isArray {
            let element = try self.table(under: table, origin: .header, position: headerPosition, at: start)
            switch table[last.name] {
            case nil:
                table[last.name] = .arrayOfTables([element], keyPosition: last.position)
            case .arrayOfTables(let children, let keyPosition):
                table[last.name] = .arrayOfTables(children + [element], keyPosition: keyPosition)
            case .value(let node, _):
                if case .array = node.value {
                    throw error("cannot append to the static array \(name) with [[\(name)]]", at: start)
                }
                throw error("the key \(name) is already defined", at: start)
            case .table:
                throw error("the table \(name) is already defined; it cannot become an array of tables", at: start)
            }
            current = element
        } else {
            switch table[last.name] {
            case nil:
                let child = try self.table(under: table, origin: .header, position: headerPosition, at: start)
                table[last.name] = .table(child, keyPosition: last.position)
                current = child
            case .table(let child, _) where child.origin == .implicit:
                child.origin = .header
                current = child
            case .table:
                throw error("the table [\(name)] is already defined", at: start)
            case .arrayOfTables:
                throw error("\(name) is an array of tables; use [[\(name)]] to add to it", at: start)
            case .value:
                throw error("the key \(name) is already defined", at: start)
            }
        }
    }
}

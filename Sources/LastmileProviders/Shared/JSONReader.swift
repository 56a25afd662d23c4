/// Reads one JSON text (RFC 8259, UTF-8) into a `JSONValue`, straight from the bytes of a
/// request body: no Foundation objects, no copy of the body, and nesting bounded by
/// `maximumDepth`, so no body can exhaust the stack.
public struct JSONReader {
    /// Arrays and objects nested deeper than this are refused.
    public static let maximumDepth = 64

    /// Why a text is not JSON, and where.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public var reason: String
        /// The offset of the byte the reader stopped at.
        public var offset: Int

        public var description: String { "\(reason) at byte \(offset)" }
    }

    /// The value `bytes` hold; a UTF-8 byte order mark before it is skipped.
    public static func read(_ bytes: [UInt8]) throws(Failure) -> JSONValue {
        let result: Result<JSONValue, Failure> = bytes.withUnsafeBufferPointer { buffer in
            var reader = JSONReader(buffer)
            if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { reader.position = 3 }
            return Result { () throws(Failure) -> JSONValue in
                let value = try reader.value(depth: 0)
                reader.skipWhitespace()
                guard reader.position == buffer.count else { throw reader.failure("text after the value") }
                return value
            }
        }
        return try result.get()
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    private func failure(_ reason: String) -> Failure { Failure(reason: reason, offset: position) }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private mutating func value(depth: Int) throws(Failure) -> JSONValue {
        skipWhitespace()
        guard position < bytes.count else { throw failure("the text ends where a value should be") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw failure("unexpected character")
        }
    }

    private mutating func object(depth: Int) throws(Failure) -> JSONValue {
        var members: [String: JSONValue] = [:]
        if try opensEmpty(closedBy: UInt8(ascii: "}"), depth: depth) { return .object(members) }
        // Most reports are one object of a few fields: room for them at once instead of growing
        // twice. Only for the outermost object, so a body of many small objects costs no more
        // than their members.
        if depth == 1 { members.reserveCapacity(8) }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw failure("a member name must be a string") }
            let name = try string()
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw failure("expected ':' after a member name") }
            position += 1
            // A name given twice keeps its last value.
            members[name] = try value(depth: depth)
            if try closes(UInt8(ascii: "}"), "an object") { return .object(members) }
        }
    }

    private mutating func array(depth: Int) throws(Failure) -> JSONValue {
        var elements: [JSONValue] = []
        if try opensEmpty(closedBy: UInt8(ascii: "]"), depth: depth) { return .array(elements) }
        while true {
            elements.append(try value(depth: depth))
            if try closes(UInt8(ascii: "]"), "an array") { return .array(elements) }
        }
    }

    /// Steps over an array's or object's opening (refused past `maximumDepth`); true when it is
    /// empty, its closing `closing` stepped over too.
    private mutating func opensEmpty(closedBy closing: UInt8, depth: Int) throws(Failure) -> Bool {
        guard depth <= Self.maximumDepth else { throw failure("nested deeper than \(Self.maximumDepth)") }
        position += 1
        skipWhitespace()
        guard position < bytes.count, bytes[position] == closing else { return false }
        position += 1
        return true
    }

    /// After an element of `container`: steps over a comma (false) or its closing `closing` (true).
    private mutating func closes(_ closing: UInt8, _ container: String) throws(Failure) -> Bool {
        skipWhitespace()
        guard position < bytes.count else { throw failure("the text ends inside \(container)") }
        switch bytes[position] {
        case UInt8(ascii: ","):
            position += 1
            return false
        case closing:
            position += 1
            return true
        default:
            throw failure("expected ',' or '\(Character(Unicode.Scalar(closing)))' in \(container)")
        }
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let count = word.utf8CodeUnitCount
        guard bytes.count - position >= count,
              (0..<count).allSatisfy({ bytes[position + $0] == word.utf8Start[$0] }) else { throw failure("unexpected character") }
        position += count
    }

    /// The literal text of a number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private mutating func number() throws(Failure) -> String {
        let start = position
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count, isDigit(bytes[position]) else { throw failure("a number needs a digit") }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
        } else {
            skipDigits()
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else { throw failure("a fraction needs a digit") }
            skipDigits()
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard position < bytes.count, isDigit(bytes[position]) else { throw failure("an exponent needs a digit") }
            skipDigits()
        }
        let literal = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        // Past a Double's range a number would read as infinity: a time that never comes, an amount with no value.
        guard Double(literal)?.isFinite == true else { throw Failure(reason: "a number out of range", offset: start) }
        return literal
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func skipDigits() {
        while position < bytes.count, isDigit(bytes[position]) { position += 1 }
    }

    /// A string's value; the reader stands on its opening quote.
    private mutating func string() throws(Failure) -> String {
        position += 1
        let start = position
        // Most strings have no escape: they are validated and taken as they are.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let raw = UnsafeBufferPointer(rebasing: bytes[start..<position])
                guard let text = String(validating: raw, as: UTF8.self) else { throw failure("a string is not UTF-8") }
                position += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { throw failure("a control character in a string must be escaped") }
            position += 1
        }
        var decoded = Array(UnsafeBufferPointer(rebasing: bytes[start..<position]))
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: decoded, as: UTF8.self) else { throw failure("a string is not UTF-8") }
                position += 1
                return text
            case UInt8(ascii: "\\"):
                position += 1
                try escape(into: &decoded)
            case ..<0x20:
                throw failure("a control character in a string must be escaped")
            default:
                decoded.append(byte)
                position += 1
            }
        }
        throw failure("the text ends inside a string")
    }

    /// One escape after its backslash, appended as UTF-8.
    private mutating func escape(into decoded: inout [UInt8]) throws(Failure) {
        guard position < bytes.count else { throw failure("the text ends inside a string") }
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(byte)
        case UInt8(ascii: "b"): decoded.append(0x08)
        case UInt8(ascii: "f"): decoded.append(0x0C)
        case UInt8(ascii: "n"): decoded.append(0x0A)
        case UInt8(ascii: "r"): decoded.append(0x0D)
        case UInt8(ascii: "t"): decoded.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = UInt32(try hexQuad())
            if (0xD800..<0xDC00).contains(scalar) {
                guard bytes.count - position >= 2, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                    throw failure("a high surrogate without its low one")
                }
                position += 2
                let low = UInt32(try hexQuad())
                guard (0xDC00..<0xE000).contains(low) else { throw failure("a high surrogate without its low one") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw failure("a low surrogate without its high one")
            }
            guard let character = Unicode.Scalar(scalar) else { throw failure("not a Unicode scalar") }
            UTF8.encode(character) { decoded.append($0) }
        default:
            throw failure("unknown escape")
        }
    }

    private mutating func hexQuad() throws(Failure) -> UInt16 {
        guard bytes.count - position >= 4 else { throw failure("\\u needs four hex digits") }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("\\u needs four hex digits")
            }
            value = value << 4 | UInt16(digit)
            position += 1
        }
        return value
    }
}

extension Parser {
    /// Whether a byte may appear literally in a string (tab yes, other controls and DEL no).
    static func isStringByte(_ byte: UInt8) -> Bool {
        byte == 0x09 || (byte >= 0x20 && byte != 0x7F)
    }

    mutating func parseBasicString() throws(TOMLError) -> String {
        index += 1
        var buffer: [UInt8] = []
        while true {
            guard let byte = peek else { throw error("unterminated string") }
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: buffer, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape(into: &buffer)
            case 0x0A, 0x0D:
                throw error("newline in a single-line string")
            default:
                guard Self.isStringByte(byte) else { throw error("control character U+\(hex(byte)) in a string") }
                buffer.append(byte)
                index += 1
            }
        }
    }

    mutating func parseMultilineBasicString() throws(TOMLError) -> String {
        index += 3
        _ = try consumeNewline()
        var buffer: [UInt8] = []
        while true {
            guard let byte = peek else { throw error("unterminated multi-line string") }
            switch byte {
            case UInt8(ascii: "\""):
                if try closeMultiline(quote: byte, into: &buffer) { return String(decoding: buffer, as: UTF8.self) }
            case UInt8(ascii: "\\"):
                if try skipLineEndingBackslash() { continue }
                try parseEscape(into: &buffer)
            case 0x0A:
                buffer.append(byte)
                index += 1
            case 0x0D:
                _ = try consumeNewline()
                buffer.append(0x0A)
            default:
                guard Self.isStringByte(byte) else { throw error("control character U+\(hex(byte)) in a string") }
                buffer.append(byte)
                index += 1
            }
        }
    }

    mutating func parseLiteralString() throws(TOMLError) -> String {
        index += 1
        let start = index
        while true {
            guard let byte = peek else { throw error("unterminated literal string") }
            if byte == UInt8(ascii: "'") {
                index += 1
                return String(decoding: bytes[start..<(index - 1)], as: UTF8.self)
            }
            if byte == 0x0A || byte == 0x0D { throw error("newline in a single-line string") }
            guard Self.isStringByte(byte) else { throw error("control character U+\(hex(byte)) in a string") }
            index += 1
        }
    }

    mutating func parseMultilineLiteralString() throws(TOMLError) -> String {
        index += 3
        _ = try consumeNewline()
        var buffer: [UInt8] = []
        while true {
            guard let byte = peek else { throw error("unterminated multi-line literal string") }
            switch byte {
            case UInt8(ascii: "'"):
                if try closeMultiline(quote: byte, into: &buffer) { return String(decoding: buffer, as: UTF8.self) }
            case 0x0A:
                buffer.append(byte)
                index += 1
            case 0x0D:
                _ = try consumeNewline()
                buffer.append(0x0A)
            default:
                guard Self.isStringByte(byte) else { throw error("control character U+\(hex(byte)) in a string") }
                buffer.append(byte)
                index += 1
            }
        }
    }

    /// At a quote inside a multi-line string: three to five quotes close it (the
    /// first one or two belong to the content); fewer are content; six are an error.
    mutating func closeMultiline(quote: UInt8, into buffer: inout [UInt8]) throws(TOMLError) -> Bool {
        var run = 0
        while peek(run) == quote { run += 1 }
        if run < 3 {
            buffer.append(contentsOf: repeatElement(quote, count: run))
            index += run
            return false
        }
        guard run <= 5 else { throw error("too many quotes at the end of a multi-line string") }
        buffer.append(contentsOf: repeatElement(quote, count: run - 3))
        index += run
        return true
    }

    /// A backslash at the end of a line in a multi-line basic string removes the
    /// newline and all whitespace up to the next non-blank character.
    mutating func skipLineEndingBackslash() throws(TOMLError) -> Bool {
        var cursor = index + 1
        while cursor < bytes.count, bytes[cursor] == 0x20 || bytes[cursor] == 0x09 { cursor += 1 }
        guard cursor < bytes.count, bytes[cursor] == 0x0A || (bytes[cursor] == 0x0D && cursor + 1 < bytes.count && bytes[cursor + 1] == 0x0A) else {
            return false
        }
        index = cursor
        while true {
            skipWhitespace()
            if try !consumeNewline() { return true }
        }
    }

    mutating func parseEscape(into buffer: inout [UInt8]) throws(TOMLError) {
        let start = index
        index += 1
        guard let letter = peek else { throw error("unterminated escape sequence") }
        index += 1
        let simple: UInt8?
        switch letter {
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "\""): simple = 0x22
        case UInt8(ascii: "\\"): simple = 0x5C
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            simple = nil
        default:
            throw error("invalid escape sequence \\\(characterAt(index - 1))", at: start)
        }
        if let simple {
            buffer.append(simple)
            return
        }
        let digits = letter == UInt8(ascii: "u") ? 4 : 8
        var value: UInt32 = 0
        for _ in 0..<digits {
            guard let byte = peek, let digit = Self.hexValue(byte) else {
                throw error("\\\(Character(Unicode.Scalar(letter))) needs \(digits) hexadecimal digits", at: start)
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw error("escape \\\(Character(Unicode.Scalar(letter))) names U+\(String(value, radix: 16, uppercase: true)), which is not a Unicode scalar value", at: start)
        }
        buffer.append(contentsOf: Array(String(Character(scalar)).utf8))
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

extension Parser {
    /// Reads one value (not an inline table assigned to a key, which `parseKeyValue` handles).
    mutating func parseValue() throws(TOMLError) -> TOMLValue {
        guard let byte = peek else { throw error("expected a value, found end of file") }
        switch byte {
        case UInt8(ascii: "\""):
            if peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") { return .string(try parseMultilineBasicString()) }
            return .string(try parseBasicString())
        case UInt8(ascii: "'"):
            if peek(1) == UInt8(ascii: "'"), peek(2) == UInt8(ascii: "'") { return .string(try parseMultilineLiteralString()) }
            return .string(try parseLiteralString())
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            return try parseBoolean()
        case UInt8(ascii: "["):
            return try parseArray()
        case UInt8(ascii: "{"):
            return .table(try parseInlineTable().build())
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            if looksLikeDate || looksLikeTime { return try parseDateTime() }
            return try parseNumber()
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "i"), UInt8(ascii: "n"):
            return try parseNumber()
        default:
            throw error("expected a value, found \(describe(byte))")
        }
    }

    mutating func parseBoolean() throws(TOMLError) -> TOMLValue {
        for (word, value) in [("true", true), ("false", false)] {
            let utf8 = Array(word.utf8)
            if index + utf8.count <= bytes.count, Array(bytes[index..<(index + utf8.count)]) == utf8 {
                let next = index + utf8.count < bytes.count ? bytes[index + utf8.count] : nil
                if let next, Self.isBareKeyByte(next) { break }
                index += utf8.count
                return .boolean(value)
            }
        }
        throw error("expected a value; booleans are written true or false in lower case")
    }

    mutating func enterNesting() throws(TOMLError) {
        depth += 1
        guard depth <= TOMLDecoder.maximumNesting else {
            throw error("arrays and inline tables nest deeper than \(TOMLDecoder.maximumNesting) levels")
        }
    }

    mutating func parseArray() throws(TOMLError) -> TOMLValue {
        try enterNesting()
        defer { depth -= 1 }
        index += 1
        var elements: [TOMLNode] = []
        while true {
            try skipBlank()
            if peek == UInt8(ascii: "]") {
                index += 1
                return .array(elements)
            }
            let position = here
            elements.append(TOMLNode(try parseValue(), at: position))
            try skipBlank()
            switch peek {
            case UInt8(ascii: ","):
                index += 1
            case UInt8(ascii: "]"):
                index += 1
                return .array(elements)
            default:
                throw error("expected ',' or ']' in the array, found \(describe(peek))")
            }
        }
    }

    /// Reads `{ key = value, … }` on one line, without a trailing comma.
    mutating func parseInlineTable() throws(TOMLError) -> TableBuilder {
        try enterNesting()
        defer { depth -= 1 }
        guard tableDepth < TOMLDecoder.maximumNesting else {
            throw error("tables nest deeper than \(TOMLDecoder.maximumNesting) levels")
        }
        let table = TableBuilder(origin: .inline, position: here, depth: tableDepth + 1)
        index += 1
        skipWhitespace()
        if peek == UInt8(ascii: "}") {
            index += 1
            return table
        }
        // Keys inside are added with dotted-key rules, then the whole table is frozen.
        table.origin = .dotted
        while true {
            skipWhitespace()
            if peek == UInt8(ascii: "}") { throw error("trailing comma in an inline table") }
            if peek == 0x0A || peek == 0x0D { throw error("newline in an inline table") }
            try parseKeyValue(into: table)
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","):
                index += 1
            case UInt8(ascii: "}"):
                index += 1
                table.freeze()
                return table
            case 0x0A, 0x0D:
                throw error("newline in an inline table")
            default:
                throw error("expected ',' or '}' in the inline table, found \(describe(peek))")
            }
        }
    }
}

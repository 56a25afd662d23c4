extension Parser {
    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    static func isNumberByte(_ byte: UInt8) -> Bool {
        isBareKeyByte(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".")
    }

    /// Reads an integer or a float, in any of TOML's spellings.
    mutating func parseNumber() throws(TOMLError) -> TOMLValue {
        let start = index
        while let byte = peek, Self.isNumberByte(byte) { index += 1 }
        let token = Array(bytes[start..<index])
        let text = String(decoding: token, as: UTF8.self)
        func invalid(_ reason: String) -> TOMLError { error("invalid number \(text): \(reason)", at: start) }
        guard !token.isEmpty else { throw error("expected a value, found \(describe(peek))") }

        var body = token[...]
        var negative = false
        let hasSign = body.first == UInt8(ascii: "+") || body.first == UInt8(ascii: "-")
        if hasSign {
            negative = body.first == UInt8(ascii: "-")
            body = body.dropFirst()
        }
        switch String(decoding: body, as: UTF8.self) {
        case "inf": return .float(negative ? -.infinity : .infinity)
        case "nan": return .float(.nan)
        default: break
        }
        guard let first = body.first, Self.isDigit(first) else { throw invalid("expected a digit") }

        if body.count > 2, first == UInt8(ascii: "0"),
           let radix = [UInt8(ascii: "x"): 16, UInt8(ascii: "o"): 8, UInt8(ascii: "b"): 2][body[body.startIndex + 1]] {
            guard !hasSign else { throw invalid("hexadecimal, octal and binary integers take no sign") }
            let digits = body.dropFirst(2)
            guard Self.validDigitRun(digits, radix: radix) else { throw invalid("bad digits or underscores") }
            guard let value = Self.integer(digits, radix: radix) else { throw invalid("out of the 64-bit integer range") }
            guard value <= UInt64(Int64.max) else { throw invalid("out of the 64-bit integer range") }
            return .integer(Int64(value))
        }

        let isFloat = body.contains(UInt8(ascii: ".")) || body.contains(UInt8(ascii: "e")) || body.contains(UInt8(ascii: "E"))
        if !isFloat {
            guard Self.validDigitRun(body), !(body.count > 1 && first == UInt8(ascii: "0")) else {
                throw invalid(body.count > 1 && first == UInt8(ascii: "0") ? "leading zeros are not allowed" : "bad digits or underscores")
            }
            guard let magnitude = Self.integer(body, radix: 10),
                  magnitude <= (negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)) else {
                throw invalid("out of the 64-bit integer range")
            }
            return .integer(negative ? Int64(truncatingIfNeeded: 0 &- magnitude) : Int64(magnitude))
        }

        // Float: integer part, optional fraction, optional exponent.
        let exponentIndex = body.firstIndex { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
        let mantissa = body[..<(exponentIndex ?? body.endIndex)]
        let dot = mantissa.firstIndex(of: UInt8(ascii: "."))
        let integerPart = mantissa[..<(dot ?? mantissa.endIndex)]
        guard Self.validDigitRun(integerPart) else { throw invalid("bad integer part") }
        guard !(integerPart.count > 1 && integerPart.first == UInt8(ascii: "0")) else {
            throw invalid("leading zeros are not allowed")
        }
        if let dot {
            guard Self.validDigitRun(mantissa[(dot + 1)...]) else { throw invalid("a decimal point needs digits on both sides") }
        }
        if let exponentIndex {
            var exponent = body[(exponentIndex + 1)...]
            if exponent.first == UInt8(ascii: "+") || exponent.first == UInt8(ascii: "-") { exponent = exponent.dropFirst() }
            guard Self.validDigitRun(exponent) else { throw invalid("bad exponent") }
        }
        let cleaned = String(decoding: token.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
        guard let value = Double(cleaned) else { throw invalid("not a number") }
        guard value.isFinite else { throw invalid("out of the 64-bit float range") }
        return .float(value)
    }

    /// Digits with single underscores only between digits; not empty.
    static func validDigitRun(_ run: ArraySlice<UInt8>, radix: Int = 10) -> Bool {
        guard let first = run.first, let last = run.last,
              digitValue(first, radix: radix) != nil, digitValue(last, radix: radix) != nil else { return false }
        var previousWasUnderscore = false
        for byte in run {
            if byte == UInt8(ascii: "_") {
                if previousWasUnderscore { return false }
                previousWasUnderscore = true
            } else {
                guard digitValue(byte, radix: radix) != nil else { return false }
                previousWasUnderscore = false
            }
        }
        return true
    }

    static func digitValue(_ byte: UInt8, radix: Int) -> Int? {
        guard let value = hexValue(byte).map(Int.init), value < radix else { return nil }
        return value
    }

    /// The unsigned value of a digit run with underscores, or nil when invalid or over 64 bits.
    static func integer(_ run: ArraySlice<UInt8>, radix: Int) -> UInt64? {
        guard validDigitRun(run, radix: radix) else { return nil }
        var value: UInt64 = 0
        for byte in run where byte != UInt8(ascii: "_") {
            let (shifted, overflow) = value.multipliedReportingOverflow(by: UInt64(radix))
            guard !overflow else { return nil }
            let (sum, carry) = shifted.addingReportingOverflow(UInt64(digitValue(byte, radix: radix)!))
            guard !carry else { return nil }
            value = sum
        }
        return value
    }
}

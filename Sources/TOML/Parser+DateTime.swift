extension Parser {
    var looksLikeDate: Bool {
        (0..<4).allSatisfy { peek($0).map(Self.isDigit) ?? false } && peek(4) == UInt8(ascii: "-")
    }

    var looksLikeTime: Bool {
        (0..<2).allSatisfy { peek($0).map(Self.isDigit) ?? false } && peek(2) == UInt8(ascii: ":")
    }

    /// Reads an offset date-time, local date-time, local date or local time.
    mutating func parseDateTime() throws(TOMLError) -> TOMLValue {
        let start = index
        if looksLikeTime { return .localTime(try parseTime(start: start)) }
        let date = try parseDate(start: start)
        let separator = peek
        let timeFollows = (separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t"))
            || (separator == UInt8(ascii: " ") && peek(1).map(Self.isDigit) == true && peek(3) == UInt8(ascii: ":"))
        guard timeFollows else {
            if let next = peek, Self.isBareKeyByte(next) || next == UInt8(ascii: ":") || next == UInt8(ascii: ".") {
                throw error("invalid date-time: unexpected \(describe(next))")
            }
            return .localDate(date)
        }
        index += 1
        let time = try parseTime(start: start)
        switch peek {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
            return .offsetDateTime(TOMLDateTime(date: date, time: time, offsetMinutes: 0))
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let negative = peek == UInt8(ascii: "-")
            index += 1
            let hours = try fixedDigits(2, start: start)
            guard peek == UInt8(ascii: ":") else { throw error("invalid offset: expected ':'", at: start) }
            index += 1
            let minutes = try fixedDigits(2, start: start)
            guard hours <= 23, minutes <= 59 else { throw error("invalid offset: out of range", at: start) }
            let offset = hours * 60 + minutes
            return .offsetDateTime(TOMLDateTime(date: date, time: time, offsetMinutes: negative ? -offset : offset))
        default:
            if let next = peek, Self.isBareKeyByte(next) || next == UInt8(ascii: ":") || next == UInt8(ascii: ".") {
                throw error("invalid date-time: unexpected \(describe(next))")
            }
            return .localDateTime(TOMLDateTime(date: date, time: time, offsetMinutes: nil))
        }
    }

    mutating func fixedDigits(_ count: Int, start: Int) throws(TOMLError) -> Int {
        var value = 0
        for _ in 0..<count {
            guard let byte = peek, Self.isDigit(byte) else {
                throw error("invalid date or time: expected \(count) digits", at: start)
            }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            index += 1
        }
        return value
    }

    mutating func parseDate(start: Int) throws(TOMLError) -> TOMLDate {
        let year = try fixedDigits(4, start: start)
        guard peek == UInt8(ascii: "-") else { throw error("invalid date: expected '-'", at: start) }
        index += 1
        let month = try fixedDigits(2, start: start)
        guard peek == UInt8(ascii: "-") else { throw error("invalid date: expected '-'", at: start) }
        index += 1
        let day = try fixedDigits(2, start: start)
        guard (1...12).contains(month) else { throw error("invalid date: month \(month) is out of range", at: start) }
        guard (1...TOMLDate.days(inMonth: month, year: year)).contains(day) else {
            throw error("invalid date: day \(day) does not exist in \(pad(year, 4))-\(pad(month, 2))", at: start)
        }
        return TOMLDate(year: year, month: month, day: day)
    }

    mutating func parseTime(start: Int) throws(TOMLError) -> TOMLTime {
        let hour = try fixedDigits(2, start: start)
        guard peek == UInt8(ascii: ":") else { throw error("invalid time: expected ':'", at: start) }
        index += 1
        let minute = try fixedDigits(2, start: start)
        guard peek == UInt8(ascii: ":") else { throw error("invalid time: seconds are required", at: start) }
        index += 1
        let second = try fixedDigits(2, start: start)
        guard hour <= 23, minute <= 59, second <= 60 else { throw error("invalid time: out of range", at: start) }
        var nanosecond = 0
        if peek == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while let byte = peek, Self.isDigit(byte) {
                if digits < 9 { nanosecond = nanosecond * 10 + Int(byte - UInt8(ascii: "0")) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { throw error("invalid time: a fraction needs digits", at: start) }
            for _ in digits..<max(digits, 9) { nanosecond *= 10 }
        }
        return TOMLTime(hour: hour, minute: minute, second: second, nanosecond: nanosecond)
    }
}

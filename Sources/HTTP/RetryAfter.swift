import Foundation

/// How long a server asked to be left alone (`Retry-After`, RFC 9110 §10.2.3): a number of
/// seconds, or an HTTP date in any of the three forms a recipient must read (§5.6.7).
public enum RetryAfter {
    /// The wait `value` asks for from `now`, never below zero; nil when it is not understood.
    public static func delay(_ value: String, now: Date) -> Duration? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if let seconds = number(Substring(text), digits: 1...Int.max) {
            return .seconds(seconds)
        }
        if !text.isEmpty, text.utf8.allSatisfy(isDigit) {
            // Too long for an Int: a wait longer than anyone will honour.
            return .seconds(Int.max)
        }
        guard let date = date(text, now: now) else { return nil }
        return .seconds(max(0, date.timeIntervalSince(now)))
    }

    /// `Sun, 06 Nov 1994 08:49:37 GMT` (IMF-fixdate), `Sunday, 06-Nov-94 08:49:37 GMT`
    /// (RFC 850) or `Sun Nov  6 08:49:37 1994` (asctime).
    private static func date(_ text: String, now: Date) -> Date? {
        let fields = text.split(separator: " ")
        switch fields.count {
        case 6:
            guard fields[0].hasSuffix(","), shortDays.contains(String(fields[0].dropLast())), fields[5] == "GMT",
                  let day = number(fields[1], digits: 2...2), let month = month(fields[2]),
                  let year = number(fields[3], digits: 4...4) else { return nil }
            return date(year: year, month: month, day: day, time: fields[4])
        case 4:
            let parts = fields[1].split(separator: "-", omittingEmptySubsequences: false)
            guard fields[0].hasSuffix(","), longDays.contains(String(fields[0].dropLast())), fields[3] == "GMT", parts.count == 3,
                  let day = number(parts[0], digits: 2...2), let month = month(parts[1]),
                  let twoDigits = number(parts[2], digits: 2...2) else { return nil }
            // The year ending so that is at most 50 years ahead: one further ahead is the latest
            // past year ending so.
            let thisYear = calendar.component(.year, from: now)
            var year = thisYear - thisYear % 100 + twoDigits
            if year > thisYear + 50 { year -= 100 } else if year <= thisYear - 50 { year += 100 }
            return date(year: year, month: month, day: day, time: fields[2])
        case 5:
            guard shortDays.contains(String(fields[0])), let month = month(fields[1]), let day = number(fields[2], digits: 1...2),
                  let year = number(fields[4], digits: 4...4) else { return nil }
            return date(year: year, month: month, day: day, time: fields[3])
        default:
            return nil
        }
    }

    private static func date(year: Int, month: Int, day: Int, time: Substring) -> Date? {
        let parts = time.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, let hour = number(parts[0], digits: 2...2), let minute = number(parts[1], digits: 2...2),
              let second = number(parts[2], digits: 2...2) else { return nil }
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard components.isValidDate(in: calendar) else { return nil }
        return calendar.date(from: components)
    }

    /// The value of `text` when it is only ASCII digits, as many as `digits` allows.
    private static func number(_ text: Substring, digits: ClosedRange<Int>) -> Int? {
        guard digits.contains(text.utf8.count), text.utf8.allSatisfy(isDigit) else { return nil }
        return Int(text)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func month(_ text: Substring) -> Int? {
        months.firstIndex(of: String(text)).map { $0 + 1 }
    }

    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        return calendar
    }()
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    private static let shortDays: Set = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    private static let longDays: Set = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
}

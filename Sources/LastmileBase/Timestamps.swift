import Foundation

/// Reading the timestamps providers and phones send.
public enum Timestamps {
    /// RFC 3339 / ISO 8601 and the near misses providers send: a space for `T`, any number of
    /// fraction digits, `+0000` for `+00:00`, and `YYYY-MM-DD HH:MM:SS` meaning UTC.
    public static func parse(_ text: String) -> Date? {
        var value = text.trimmingCharacters(in: .whitespaces)
        guard value.count >= 19 else { return nil }
        // "2020-01-01 12:00:00 +0000" → "2020-01-01T12:00:00+0000"
        value = value.replacingOccurrences(of: " +", with: "+").replacingOccurrences(of: " -", with: "-")
        if value.count > 10, Array(value)[10] == " " {
            value = String(value.prefix(10)) + "T" + String(value.dropFirst(11))
        }
        // Keep at most three fraction digits.
        if let dot = value.firstIndex(of: ".") {
            let digits = value[value.index(after: dot)...].prefix { $0.isNumber }
            let rest = value[value.index(dot, offsetBy: digits.count + 1)...]
            value = String(value[..<dot]) + (digits.isEmpty ? "" : "." + digits.prefix(3)) + rest
        }
        // "+0000" → "+00:00"
        if let sign = value.lastIndex(where: { $0 == "+" || $0 == "-" }), value.distance(from: value.startIndex, to: sign) > 10 {
            let offset = value[value.index(after: sign)...]
            if offset.count == 4, offset.allSatisfy(\.isNumber) {
                value = String(value[...sign]) + offset.prefix(2) + ":" + offset.suffix(2)
            }
        } else if !value.hasSuffix("Z") && !value.hasSuffix("z") {
            value += "Z"
        }
        if let date = try? Date(value, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        return try? Date(value, strategy: Date.ISO8601FormatStyle())
    }

    /// A count of seconds since 1970 (or of `unitsPerSecond`ths of one) written as a number; nil
    /// unless it is finite and between 1970 and 2286, so `nan`, `inf` or `1e400` from a hostile
    /// sender never become a date that cannot be stored or shown.
    public static func epoch(_ text: String, unitsPerSecond: Double = 1) -> Date? {
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else { return nil }
        let seconds = value / unitsPerSecond
        guard (0...10_000_000_000).contains(seconds) else { return nil }
        return Date(timeIntervalSince1970: seconds)
    }

    /// RFC 3339 in UTC with milliseconds.
    public static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

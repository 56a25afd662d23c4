import Foundation

/// Reading the timestamps providers and phones send.
public enum Timestamps {
    /// RFC 3339 / ISO 8601, with or without fractional seconds; also a space for `T`.
    public static func parse(_ text: String) -> Date? {
        let normalised = text.count > 10 ? text.replacingOccurrences(of: " ", with: "T") : text
        if let date = try? Date(normalised, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        if let date = try? Date(normalised, strategy: Date.ISO8601FormatStyle()) { return date }
        return nil
    }

    /// RFC 3339 in UTC with milliseconds.
    public static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

import Foundation
import LastmileCore

/// Durations as configs write them: `500ms`, `90s`, `5m`, `1h30m`, `28d`, `2w`.
public enum ConfigDuration {
    static let units: [(suffix: String, seconds: Double)] = [
        ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3_600), ("d", 86_400), ("w", 604_800),
    ]

    /// The longest duration any key takes: about ten years. Longer ones are mistakes, and near
    /// the limits of a `Double` of seconds, arithmetic on them stops meaning anything.
    public static let longest: TimeInterval = 10 * 366 * 86_400

    /// Seconds, or nil when the text is not a duration (or not a finite one).
    public static func parse(_ text: String) -> TimeInterval? {
        var rest = Substring(text)
        var total: Double = 0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !digits.isEmpty, let amount = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let letters = rest.prefix { $0.isASCII && $0.isLetter }
            guard let unit = units.first(where: { $0.suffix == letters }) else { return nil }
            rest = rest.dropFirst(letters.count)
            total += amount * unit.seconds
        }
        return total.isFinite ? total : nil
    }

    /// The shortest spelling of a whole number of seconds or milliseconds: `1h30m`, `500ms`.
    public static func format(_ seconds: TimeInterval) -> String {
        seconds < 1 ? "\(Int((seconds * 1000).rounded()))ms" : CompactDuration.text(seconds)
    }
}

import Foundation

/// Locates the shared toml-test cases and compares tagged JSON by meaning.
enum TOMLTestSuite {
    /// `../shared/toml-test` beside the project root.
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/toml-test")

    static func cases(_ kind: String) -> [String] {
        let directory = root.appendingPathComponent(kind)
        guard let enumerator = FileManager.default.enumerator(atPath: directory.path) else { return [] }
        return enumerator.compactMap { $0 as? String }.filter { $0.hasSuffix(".toml") }.sorted()
    }

    static func url(_ kind: String, _ name: String) -> URL {
        root.appendingPathComponent(kind).appendingPathComponent(name)
    }

    /// Whether two tagged-JSON trees mean the same: integers and floats by value
    /// (NaN equal to NaN), date-times by their fields, everything else exactly.
    static func equivalent(_ lhs: Any, _ rhs: Any) -> Bool {
        switch (lhs, rhs) {
        case let (a as [String: Any], b as [String: Any]):
            if let typeA = a["type"] as? String, let valueA = a["value"] as? String, a.count == 2,
               let typeB = b["type"] as? String, let valueB = b["value"] as? String, b.count == 2 {
                return typeA == typeB && scalarsEqual(type: typeA, valueA, valueB)
            }
            guard a.count == b.count else { return false }
            return a.allSatisfy { key, value in b[key].map { equivalent(value, $0) } ?? false }
        case let (a as [Any], b as [Any]):
            return a.count == b.count && zip(a, b).allSatisfy(equivalent)
        default:
            return false
        }
    }

    static func scalarsEqual(type: String, _ a: String, _ b: String) -> Bool {
        switch type {
        case "integer": return Int64(a) == Int64(b)
        case "float":
            func value(_ text: String) -> Double? {
                switch text {
                case "inf", "+inf": return .infinity
                case "-inf": return -.infinity
                case "nan", "+nan", "-nan": return .nan
                default: return Double(text)
                }
            }
            guard let x = value(a), let y = value(b) else { return false }
            return x == y || (x.isNaN && y.isNaN)
        case "datetime", "datetime-local", "date-local", "time-local":
            return normalisedDateTime(a) == normalisedDateTime(b)
        default:
            return a == b
        }
    }

    /// Upper-cases separators, writes a zero offset as Z, and drops trailing fraction zeros.
    static func normalisedDateTime(_ text: String) -> String {
        var value = text.uppercased().replacingOccurrences(of: " ", with: "T")
        if value.hasSuffix("+00:00") || value.hasSuffix("-00:00") { value = String(value.dropLast(6)) + "Z" }
        if let dot = value.firstIndex(of: ".") {
            var end = value.index(after: dot)
            while end < value.endIndex, value[end].isNumber { end = value.index(after: end) }
            var fraction = String(value[value.index(after: dot)..<end])
            while fraction.hasSuffix("0") { fraction.removeLast() }
            value = String(value[..<dot]) + (fraction.isEmpty ? "" : "." + fraction) + String(value[end...])
        }
        return value
    }
}

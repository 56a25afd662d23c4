import Foundation

/// A value sent to PostgreSQL apart from the statement: as text, or as bytes for `bytea`
/// (binary format, so a payload is not doubled into hex on the way).
enum PostgresParameter {
    case null
    case text(String)
    case bytes(Data)

    /// Lends libpq the values, their lengths and their formats (0 text, 1 binary) for one call.
    static func withPointers<T>(_ parameters: [PostgresParameter],
                                _ body: ([UnsafePointer<CChar>?], [Int32], [Int32]) -> T) -> T {
        var copies: [UnsafeMutablePointer<CChar>?] = []
        var lengths: [Int32] = []
        var formats: [Int32] = []
        copies.reserveCapacity(parameters.count)
        for parameter in parameters {
            switch parameter {
            case .null:
                copies.append(nil)
                lengths.append(0)
                formats.append(0)
            case .text(let text):
                // PostgreSQL's text holds no NUL, and a C string would end at it, silently: a body
                // that carries one (a UCS-2 message, a JSON \u0000) keeps its length, with U+FFFD there.
                copies.append(strdup(text.utf8.contains(0) ? text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : text))
                lengths.append(0)
                formats.append(0)
            case .bytes(let data):
                let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, data.count))
                data.withUnsafeBytes { bytes in
                    if let base = bytes.baseAddress { UnsafeMutableRawPointer(buffer).copyMemory(from: base, byteCount: bytes.count) }
                }
                copies.append(buffer)
                lengths.append(Int32(data.count))
                formats.append(1)
            }
        }
        defer {
            for (copy, parameter) in zip(copies, parameters) {
                if case .bytes = parameter { copy?.deallocate() } else { free(copy) }
            }
        }
        return body(copies.map { $0.map { UnsafePointer($0) } }, lengths, formats)
    }
}

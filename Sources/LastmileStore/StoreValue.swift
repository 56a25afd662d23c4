import Foundation

/// A value bound to or read from the database (SQLite or PostgreSQL).
enum StoreValue: Equatable, Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)

    init(_ text: String?) { self = text.map(StoreValue.text) ?? .null }
    init(_ number: Int) { self = .integer(Int64(number)) }
    init(_ number: Double?) { self = number.map(StoreValue.real) ?? .null }
    init(_ date: Date?) { self = date.map { .real($0.timeIntervalSince1970) } ?? .null }
    init(_ data: Data?) { self = data.map(StoreValue.blob) ?? .null }

    var text: String? { if case .text(let value) = self { return value }; return nil }
    var integer: Int64? {
        switch self {
        case .integer(let value): return value
        case .real(let value): return Int64(value)
        default: return nil
        }
    }
    var real: Double? {
        switch self {
        case .real(let value): return value
        case .integer(let value): return Double(value)
        default: return nil
        }
    }
    var date: Date? { real.map(Date.init(timeIntervalSince1970:)) }
    var blob: Data? {
        switch self {
        case .blob(let value): return value
        case .text(let value): return Data(value.utf8)
        default: return nil
        }
    }
}

import CLibPQ
import Foundation

/// The rows of one PostgreSQL statement, all received, read as the store's values by each
/// column's type.
final class PostgresResult: RowCursor {
    private let handle: OpaquePointer
    private var row = -1
    let rowCount: Int
    let columnCount: Int
    private let kinds: [Kind]

    /// How a column's text is read, by its type.
    private enum Kind {
        case integer, real, numeric, boolean, bytes, text
    }

    init(_ handle: OpaquePointer) {
        self.handle = handle
        rowCount = Int(PQntuples(handle))
        columnCount = Int(PQnfields(handle))
        kinds = (0..<columnCount).map { column in
            switch PQftype(handle, Int32(column)) {
            case 20, 21, 23, 26: return .integer      // int8, int2, int4, oid
            case 700, 701: return .real               // float4, float8
            case 1700: return .numeric
            case 16: return .boolean
            case 17: return .bytes
            default: return .text
            }
        }
    }

    deinit { PQclear(handle) }

    /// Rows changed by the statement, when it changes rows.
    var changedRows: Int { Int(String(cString: PQcmdTuples(handle))) ?? 0 }

    func step() throws -> Bool {
        guard row + 1 < rowCount else { return false }
        row += 1
        return true
    }

    func finish() { row = rowCount }

    /// One value as text, nil when NULL.
    func text(row: Int, column: Int) -> String? {
        PQgetisnull(handle, Int32(row), Int32(column)) == 1 ? nil : String(cString: PQgetvalue(handle, Int32(row), Int32(column)))
    }

    func value(at column: Int) -> StoreValue {
        guard column < columnCount, let text = text(row: row, column: column) else { return .null }
        switch kinds[column] {
        case .integer: return Int64(text).map(StoreValue.integer) ?? .null
        case .real: return Double(text).map(StoreValue.real) ?? .null
        case .numeric: return Int64(text).map(StoreValue.integer) ?? Double(text).map(StoreValue.real) ?? .null
        case .boolean: return .integer(text == "t" ? 1 : 0)
        case .bytes: return .blob(Self.decodeHex(text))
        case .text: return .text(text)
        }
    }

    func integer(at column: Int) -> Int64 { value(at: column).integer ?? 0 }

    func double(at column: Int) -> Double? { value(at: column).real }

    func withText<T>(_ column: Int, _ body: (UnsafeRawBufferPointer) -> T) -> T {
        guard PQgetisnull(handle, Int32(row), Int32(column)) == 0, let pointer = PQgetvalue(handle, Int32(row), Int32(column)) else {
            return body(UnsafeRawBufferPointer(start: nil, count: 0))
        }
        return body(UnsafeRawBufferPointer(start: pointer, count: Int(PQgetlength(handle, Int32(row), Int32(column)))))
    }

    /// `bytea` in its text form, `\x` and two hex digits a byte.
    static func decodeHex(_ text: String) -> Data {
        var bytes = Data()
        var utf8 = text.utf8.makeIterator()
        guard utf8.next() == UInt8(ascii: "\\"), utf8.next() == UInt8(ascii: "x") else { return Data(text.utf8) }
        bytes.reserveCapacity(text.utf8.count / 2)
        func nibble(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        while let high = utf8.next(), let low = utf8.next() {
            guard let high = nibble(high), let low = nibble(low) else { break }
            bytes.append(high << 4 | low)
        }
        return bytes
    }
}

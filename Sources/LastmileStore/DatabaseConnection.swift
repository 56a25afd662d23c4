import Foundation

/// One connection to the store's database, SQLite or PostgreSQL, as the store's queries use it.
/// Statements are written once with `?` placeholders; a connection adapts them to its engine.
/// Not thread-safe: each owner keeps its connection behind a lock or on one thread.
protocol DatabaseConnection: AnyObject {
    /// What differs in the SQL the engines accept.
    var dialect: SQLDialect { get }
    /// Runs statements that take no values and return no rows.
    func execute(_ sql: String) throws
    /// Runs `sql` with `values` bound to its placeholders, in order; a cursor over its rows.
    func query(_ sql: String, _ values: [StoreValue]) throws -> any RowCursor
    /// Runs a statement that returns no rows; the number of rows it changed.
    @discardableResult
    func run(_ sql: String, _ values: [StoreValue]) throws -> Int
    /// Opens a write transaction.
    func beginWrite() throws
    /// Connects again when the connection broke (the server restarted); nothing when it works.
    func reconnectIfBroken()
}

extension DatabaseConnection {
    /// The first column of the first row, if any.
    func scalar(_ sql: String, _ values: [StoreValue] = []) throws -> StoreValue? {
        let cursor = try query(sql, values)
        defer { cursor.finish() }
        guard try cursor.step() else { return nil }
        return cursor.value(at: 0)
    }

    /// Every row of `sql`, as arrays of values.
    func rows(_ sql: String, _ values: [StoreValue] = []) throws -> [[StoreValue]] {
        try query(sql, values).rows()
    }
}

/// The rows of one statement, read one at a time.
protocol RowCursor: AnyObject {
    /// Advances to the next row; false when there is none.
    func step() throws -> Bool
    var columnCount: Int { get }
    func value(at column: Int) -> StoreValue
    /// An integer column (0 when NULL).
    func integer(at column: Int) -> Int64
    /// A number column, nil when NULL.
    func double(at column: Int) -> Double?
    /// The bytes of a text column, without making a String.
    func withText<T>(_ column: Int, _ body: (UnsafeRawBufferPointer) -> T) -> T
    /// Lets go of the rows not read (a SQLite statement left mid-way would hold its snapshot).
    func finish()
}

extension RowCursor {
    /// Every remaining row, as arrays of values.
    func rows() throws -> [[StoreValue]] {
        var rows: [[StoreValue]] = []
        while try step() {
            rows.append((0..<columnCount).map(value(at:)))
        }
        return rows
    }
}

/// The few places where SQLite and PostgreSQL want different SQL.
enum SQLDialect: Sendable {
    case sqlite
    case postgres

    /// A `LIMIT` that takes every row (SQLite needs one before `OFFSET`).
    var noLimit: String { self == .sqlite ? "-1" : "ALL" }
    /// A table named for a full scan, without its indexes where the engine lets us say so.
    func scanning(_ table: String) -> String { self == .sqlite ? "\(table) NOT INDEXED" : table }
    /// What names a row of a table without a single-column key.
    var rowIdentity: String { self == .sqlite ? "rowid" : "ctid" }
}

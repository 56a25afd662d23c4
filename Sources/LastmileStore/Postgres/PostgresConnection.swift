import CLibPQ
import Foundation

/// One connection to a PostgreSQL server through libpq, with parameters always sent apart from
/// the statement text (never spliced into it) and results read as text.
///
/// libpq blocks and a connection is not safe to share between threads: one thread uses it at a
/// time, and never a thread of the concurrency pool.
public final class PostgresConnection {
    private let handle: OpaquePointer

    /// Connects to `url`, a libpq connection URI (`postgresql://user@host:port/database`).
    public init(url: String, timeout: Int = 5) throws(PostgresError) {
        // A connect timeout of its own unless the URI sets one.
        let separator = url.contains("?") ? "&" : "?"
        let target = url.contains("connect_timeout=") ? url : url + separator + "connect_timeout=\(max(1, timeout))"
        guard let connection = PQconnectdb(target) else { throw PostgresError(message: "libpq could not allocate a connection") }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQfinish(connection)
            throw PostgresError(message: "cannot connect: \(message)")
        }
        // Notices ("relation already exists, skipping") are for people at psql, not for a log.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        handle = connection
    }

    deinit { PQfinish(handle) }

    /// Whether the connection still works, as far as libpq knows.
    public var isOpen: Bool { PQstatus(handle) == CONNECTION_OK }

    /// Runs `sql` with `parameters` (`$1`, `$2`, … ; nil is NULL) and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ parameters: [String?] = []) throws(PostgresError) -> [PostgresRow] {
        let result = try execute(sql, parameters.map { $0.map(PostgresParameter.text) ?? .null })
        return (0..<result.rowCount).map { row in
            PostgresRow(values: (0..<result.columnCount).map { result.text(row: row, column: $0) })
        }
    }

    /// Runs `sql` with `parameters` and returns the whole result.
    func execute(_ sql: String, _ parameters: [PostgresParameter]) throws(PostgresError) -> PostgresResult {
        let result = PostgresParameter.withPointers(parameters) { values, lengths, formats in
            PQexecParams(handle, sql, Int32(parameters.count), nil, values, lengths, formats, 0)
        }
        guard let result else { throw PostgresError(message: String(cString: PQerrorMessage(handle))) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY, PGRES_TUPLES_OK:
            return PostgresResult(result)
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let message = String(cString: PQresultErrorMessage(result)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQclear(result)
            throw PostgresError(message: message.isEmpty ? String(cString: PQerrorMessage(handle)) : message, sqlState: state)
        }
    }

    /// Runs one or more statements that take no parameters (a migration), as one round trip.
    public func executeScript(_ sql: String) throws(PostgresError) {
        guard let result = PQexec(handle, sql) else { throw PostgresError(message: String(cString: PQerrorMessage(handle))) }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY, PGRES_TUPLES_OK:
            return
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let message = String(cString: PQresultErrorMessage(result)).trimmingCharacters(in: .whitespacesAndNewlines)
            throw PostgresError(message: message, sqlState: state)
        }
    }

    /// Connects again with the same settings, as after the server restarted.
    public func reset() {
        PQreset(handle)
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    public func transaction<T>(_ body: () throws(PostgresError) -> T) throws(PostgresError) -> T {
        try query("BEGIN")
        do {
            let value = try body()
            try query("COMMIT")
            return value
        } catch {
            _ = try? query("ROLLBACK")
            throw error
        }
    }
}

/// A row of a result, each value as text (nil is NULL).
public struct PostgresRow: Sendable, Hashable {
    public var values: [String?]

    public subscript(column: Int) -> String? { column < values.count ? values[column] : nil }
}

/// What went wrong talking to PostgreSQL.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// The five-character SQLSTATE, when the server gave one.
    public var sqlState: String?

    public init(message: String, sqlState: String? = nil) {
        self.message = message
        self.sqlState = sqlState
    }

    public var description: String { sqlState.map { "\(message) (SQLSTATE \($0))" } ?? message }
}

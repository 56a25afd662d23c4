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
        let result = withParameterPointers(parameters) { pointers in
            PQexecParams(handle, sql, Int32(parameters.count), nil, pointers, nil, nil, 0)
        }
        guard let result else { throw PostgresError(message: String(cString: PQerrorMessage(handle))) }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return []
        case PGRES_TUPLES_OK:
            let rows = PQntuples(result), columns = PQnfields(result)
            return (0..<rows).map { row in
                PostgresRow(values: (0..<columns).map { column in
                    PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
                })
            }
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let message = String(cString: PQresultErrorMessage(result)).trimmingCharacters(in: .whitespacesAndNewlines)
            throw PostgresError(message: message, sqlState: state)
        }
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

    private func withParameterPointers<T>(_ parameters: [String?], _ body: ([UnsafePointer<CChar>?]) -> T) -> T {
        let copies = parameters.map { $0.map { strdup($0) } ?? nil }
        defer { for copy in copies { free(copy) } }
        return body(copies.map { $0.map { UnsafePointer($0) } })
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

import CLibPQ
import Foundation
import Glibc
import LastmileBase

/// One connection to a PostgreSQL server through libpq, with parameters always sent apart from
/// the statement text (never spliced into it) and results read as text.
///
/// libpq blocks and a connection is not safe to share between threads: one thread uses it at a
/// time, and never a thread of the concurrency pool.
///
/// A statement that gets no answer within `answerTimeout` (a server cut off by the network
/// never answers, and libpq would wait forever) fails, and the connection is given up until
/// `reset`.
public final class PostgresConnection {
    private let handle: OpaquePointer
    /// How long a statement may wait for its answer.
    public private(set) var answerTimeout: Duration
    /// Set when a statement went unanswered: the server may still be working on it.
    private var givenUp = false
    /// Statements prepared on this connection, by their text: the name each was given.
    private var prepared: [String: String] = [:]
    /// Most statements one connection prepares.
    static let preparedLimit = 256

    /// Connects to `url`, a libpq connection URI (`postgresql://user@host:port/database`),
    /// waiting at most `timeout` seconds to connect.
    public init(url: String, timeout: Int = 5, answerTimeout: Duration = .seconds(10)) throws(PostgresError) {
        self.answerTimeout = answerTimeout
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
        try configureSession()
    }

    /// How long the server lets a transaction of this session sit with no statement before it
    /// ends the session; Lastmile's transactions send their statements back to back.
    static let abandonedTransactionLimit = Duration.seconds(2)

    /// Tells a new session (the first, or the one a reset starts) what the server must enforce
    /// itself. A client cut off by the network mid-transaction would hold its locks (the lease
    /// row's among them) until TCP gives up, hours later: the server ends such a transaction.
    /// And a statement the client stopped waiting for would go on waiting on the server (for a
    /// lock, say), one more each time the client retries: the server cancels it a little before
    /// the client gives up, which also leaves the connection usable.
    private func configureSession() throws(PostgresError) {
        try executeScript("""
            SET idle_in_transaction_session_timeout = \(Self.abandonedTransactionLimit.wholeMilliseconds);
            SET statement_timeout = \(Self.serverStatementLimit(answerTimeout))
            """)
    }

    /// The server's limit on one statement, in milliseconds, for a client waiting `answerTimeout`.
    static func serverStatementLimit(_ answerTimeout: Duration) -> Int64 {
        max(1, answerTimeout.wholeMilliseconds * 9 / 10)
    }

    deinit { PQfinish(handle) }

    /// Runs `body` with statements waiting up to `timeout` for their answers (a migration that
    /// builds an index over a large table), then as before.
    public func waiting<T>(up timeout: Duration, _ body: () throws -> T) rethrows -> T {
        let before = answerTimeout
        answerTimeout = timeout
        // Should the server refuse, the long statements fail at its limit, saying so: never silently.
        try? executeScript("SET statement_timeout = \(Self.serverStatementLimit(timeout))")
        defer {
            answerTimeout = before
            try? executeScript("SET statement_timeout = \(Self.serverStatementLimit(before))")
        }
        return try body()
    }

    /// Whether the connection still works, as far as libpq knows.
    public var isOpen: Bool { !givenUp && PQstatus(handle) == CONNECTION_OK }

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
        guard !givenUp else { throw PostgresError(message: "the connection was given up after a statement went unanswered") }
        let sent = PostgresParameter.withPointers(parameters) { values, lengths, formats in
            PQsendQueryParams(handle, sql, Int32(parameters.count), nil, values, lengths, formats, 0)
        }
        guard sent == 1 else { throw PostgresError(message: lastMessage) }
        return PostgresResult(try awaitResults())
    }

    /// Runs `sql` as a statement prepared once on this connection, so the server parses and
    /// plans it once rather than at every run.
    func executePrepared(_ sql: String, _ parameters: [PostgresParameter]) throws(PostgresError) -> PostgresResult {
        guard !givenUp else { throw PostgresError(message: "the connection was given up after a statement went unanswered") }
        let name: String
        if let known = prepared[sql] {
            name = known
        } else if prepared.count >= Self.preparedLimit {
            // Texts made on the fly (a listing's limit) could prepare without end: past the limit, run them plain.
            return try execute(sql, parameters)
        } else {
            name = "lastmile_\(prepared.count + 1)"
            guard PQsendPrepare(handle, name, sql, Int32(parameters.count), nil) == 1 else { throw PostgresError(message: lastMessage) }
            PQclear(try awaitResults())
            prepared[sql] = name
        }
        let sent = PostgresParameter.withPointers(parameters) { values, lengths, formats in
            PQsendQueryPrepared(handle, name, Int32(parameters.count), values, lengths, formats, 0)
        }
        guard sent == 1 else { throw PostgresError(message: lastMessage) }
        return PostgresResult(try awaitResults())
    }

    /// Runs one or more statements that take no parameters (a migration), as one round trip.
    public func executeScript(_ sql: String) throws(PostgresError) {
        guard !givenUp else { throw PostgresError(message: "the connection was given up after a statement went unanswered") }
        guard PQsendQuery(handle, sql) == 1 else { throw PostgresError(message: lastMessage) }
        PQclear(try awaitResults())
    }

    /// Waits, at most `answerTimeout`, for every result of the statement sent; the first
    /// failed one is thrown, else the last is returned.
    private func awaitResults() throws(PostgresError) -> OpaquePointer {
        let deadline = ContinuousClock.now.advanced(by: answerTimeout)
        var last: OpaquePointer?
        var failure: PostgresError?
        while true {
            while PQisBusy(handle) == 1 {
                let remaining = ContinuousClock.now.duration(to: deadline).wholeMilliseconds
                guard remaining > 0 else {
                    givenUp = true
                    if let last { PQclear(last) }
                    throw PostgresError(message: "no answer from the server within \(answerTimeout); the connection is given up")
                }
                var waiting = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
                if poll(&waiting, 1, Int32(clamping: remaining)) < 0 && errno != EINTR {
                    givenUp = true
                    if let last { PQclear(last) }
                    throw PostgresError(message: "cannot wait for the server: \(String(cString: strerror(errno)))")
                }
                guard PQconsumeInput(handle) == 1 else {
                    if let last { PQclear(last) }
                    throw PostgresError(message: lastMessage)
                }
            }
            guard let result = PQgetResult(handle) else { break }
            switch PQresultStatus(result) {
            case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY, PGRES_TUPLES_OK:
                if let last { PQclear(last) }
                last = result
            default:
                if failure == nil {
                    let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
                    let message = String(cString: PQresultErrorMessage(result)).trimmingCharacters(in: .whitespacesAndNewlines)
                    failure = PostgresError(message: message.isEmpty ? lastMessage : message, sqlState: state)
                }
                PQclear(result)
            }
        }
        if let failure {
            if let last { PQclear(last) }
            throw failure
        }
        guard let last else { throw PostgresError(message: lastMessage.isEmpty ? "the server sent no result" : lastMessage) }
        return last
    }

    private var lastMessage: String {
        String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Connects again with the same settings, as after the server restarted.
    public func reset() {
        PQreset(handle)
        givenUp = false
        prepared = [:]
        // A new session: what the last one was told is gone with it. Failing, the next statement says why.
        if PQstatus(handle) == CONNECTION_OK { try? configureSession() }
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

import CSQLite

/// An error reported by SQLite, with its result code and message.
public struct SQLiteError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The primary or extended result code.
    public let code: Int32
    public let message: String

    public init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    /// The database or disk is full.
    public var isFull: Bool { code & 0xFF == SQLITE_FULL }
    /// Another connection holds the lock beyond the busy timeout.
    public var isBusy: Bool { code & 0xFF == SQLITE_BUSY }

    public var description: String { "sqlite error \(code): \(message)" }
}

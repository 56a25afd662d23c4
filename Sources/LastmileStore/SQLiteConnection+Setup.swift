import Foundation

extension SQLiteConnection {
    /// Sets the pragmas every connection of the store uses and checks that WAL took effect.
    func configure(_ configuration: StoreConfiguration) throws {
        try execute("PRAGMA busy_timeout = \(Int(configuration.busyTimeout * 1000))")
        let mode = try scalar("PRAGMA journal_mode = WAL")?.text?.lowercased()
        guard mode == "wal" else {
            throw SQLiteError(code: 0, message: "journal_mode=WAL answered \(mode ?? "nothing"); the store needs WAL")
        }
        try execute("PRAGMA synchronous = \(configuration.synchronous.rawValue)")
        try execute("PRAGMA foreign_keys = ON")
        // The WAL lies outside `max_page_count`: after a burst it is cut back to this at each
        // checkpoint rather than keeping its largest size beside a file held to its cap.
        _ = try scalar("PRAGMA journal_size_limit = \(Self.walSizeLimit)")
        try limitSize(configuration)
    }

    /// What the WAL is cut back to after a checkpoint, in bytes.
    static let walSizeLimit = 64 * 1024 * 1024

    /// Caps the file at `configuration`'s page count. The writer applies it after the schema is
    /// migrated, so a migration's index on a file near its cap cannot keep the store from opening.
    func limitSize(_ configuration: StoreConfiguration) throws {
        if let pages = configuration.maximumPageCount {
            _ = try scalar("PRAGMA max_page_count = \(pages)")
        }
    }

    /// Brings the schema up to date, one migration per transaction.
    func migrate() throws {
        let version = Int(try scalar("PRAGMA user_version")?.integer ?? 0)
        guard version <= Schema.currentVersion else {
            throw SQLiteError(code: 0, message: "database schema version \(version) is newer than this program's \(Schema.currentVersion)")
        }
        for (index, migration) in Schema.migrations.enumerated() where index >= version {
            try execute("BEGIN IMMEDIATE")
            do {
                // Read again under the write lock: another process (the command line, a second
                // start) may have applied this migration since the version was first read.
                guard Int(try scalar("PRAGMA user_version")?.integer ?? 0) == index else {
                    try execute("ROLLBACK")
                    continue
                }
                try execute(migration)
                try execute("PRAGMA user_version = \(index + 1)")
                try execute("COMMIT")
            } catch {
                try? execute("ROLLBACK")
                throw error
            }
        }
    }
}

extension PostgresConnection {
    /// The advisory lock every Lastmile instance takes to change the schema ("lastmile" in ASCII).
    static let schemaLockKey: Int64 = 0x6C61_7374_6D69_6C65

    /// Runs `body` in a transaction holding the schema lock, so instances that start together
    /// create and migrate tables one after another rather than racing on the catalogue.
    @discardableResult
    public func withSchemaLock<T>(_ body: () throws(PostgresError) -> T) throws(PostgresError) -> T {
        try transaction { () throws(PostgresError) -> T in
            try query("SELECT pg_advisory_xact_lock($1::bigint)", [String(Self.schemaLockKey)])
            return try body()
        }
    }
}

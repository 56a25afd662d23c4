import LastmileBase

/// The leader lease in PostgreSQL: one row per lease naming its holder, its term and when it
/// runs out by the database's clock (so the instances' own clocks never have to agree).
///
/// A holder renews its live lease in the same term; a lease that ran out goes to whoever asks
/// first, in the next term. A leader-only write is fenced: in its transaction, `fence` checks
/// that the writer still holds the lease in its term and locks the row until the transaction
/// ends, so the lease cannot change hands between the check and the commit.
///
/// The term is a key of the row (`UNIQUE (name, term)`) and the fence takes `FOR KEY SHARE`:
/// a takeover, which changes the term, waits for the writes fenced in the old one, while a
/// renewal, which changes only `expires_at`, never waits for them (a long batch of writes must
/// not keep its own leader from renewing, and depose it).
public struct PostgresLeaseTable: Sendable, Hashable {
    public let name: String

    public init(name: String = "leader") {
        self.name = name
    }

    /// Creates the table if it is missing. Instances starting together may all call it: the
    /// schema lock makes them take turns, since `CREATE TABLE IF NOT EXISTS` alone races.
    ///
    /// Once made it is not asked for again: the schema lock can be held for a long while by an
    /// instance migrating the store, and an elector connecting again meanwhile must not wait on it.
    public static func create(on connection: PostgresConnection) throws(PostgresError) {
        if try connection.query("SELECT to_regclass('lastmile_lease_term') IS NOT NULL").first?[0] == "t" { return }
        try connection.withSchemaLock { () throws(PostgresError) in
            try connection.executeScript("""
                CREATE TABLE IF NOT EXISTS lastmile_lease (
                  name text PRIMARY KEY,
                  holder text NOT NULL,
                  term bigint NOT NULL,
                  expires_at timestamptz NOT NULL
                );
                CREATE UNIQUE INDEX IF NOT EXISTS lastmile_lease_term ON lastmile_lease (name, term)
                """)
        }
    }

    /// Takes the lease for `holder`, or renews it, for `duration`; its term, or nil when another
    /// instance holds it.
    public func acquire(holder: String, duration: Duration, on connection: PostgresConnection) throws(PostgresError) -> Int64? {
        // A renewal first: it changes no key, so it takes no lock a fenced write holds.
        let renewed = try connection.query("""
            UPDATE lastmile_lease SET expires_at = now() + $3::bigint * interval '1 millisecond'
            WHERE name = $1 AND holder = $2 AND expires_at > now()
            RETURNING term
            """, [name, holder, String(duration.wholeMilliseconds)])
        if let term = renewed.first?[0].flatMap({ Int64($0) }) { return term }
        let rows = try connection.query("""
            INSERT INTO lastmile_lease AS lease (name, holder, term, expires_at)
            VALUES ($1, $2, 1, now() + $3::bigint * interval '1 millisecond')
            ON CONFLICT (name) DO UPDATE
              SET holder = excluded.holder,
                  term = CASE WHEN lease.holder = excluded.holder AND lease.expires_at > now() THEN lease.term ELSE lease.term + 1 END,
                  expires_at = excluded.expires_at
              WHERE (lease.holder = excluded.holder AND lease.expires_at > now()) OR lease.expires_at <= now()
            RETURNING term
            """, [name, holder, String(duration.wholeMilliseconds)])
        return rows.first?[0].flatMap { Int64($0) }
    }

    /// Whether `holder` still holds the lease in `term`. Inside a transaction, the row stays
    /// locked until it ends: call it first in every leader-only transaction, and write nothing
    /// when it answers false.
    public func fence(holder: String, term: Int64, on connection: PostgresConnection) throws(PostgresError) -> Bool {
        let rows = try connection.query("""
            SELECT term FROM lastmile_lease
            WHERE name = $1 AND holder = $2 AND term = $3 AND expires_at > now()
            FOR KEY SHARE
            """, [name, holder, String(term)])
        return !rows.isEmpty
    }

    /// Ends `holder`'s lease now, so another instance can take it at once.
    public func release(holder: String, on connection: PostgresConnection) throws(PostgresError) {
        try connection.query("UPDATE lastmile_lease SET expires_at = now() WHERE name = $1 AND holder = $2 AND expires_at > now()",
                             [name, holder])
    }

    /// How long until the lease held now runs out, by the database's clock; nil when nobody holds it.
    public func remaining(on connection: PostgresConnection) throws(PostgresError) -> Duration? {
        let rows = try connection.query("""
            SELECT (extract(epoch FROM expires_at - now()) * 1000)::bigint FROM lastmile_lease WHERE name = $1 AND expires_at > now()
            """, [name])
        return rows.first?[0].flatMap { Int64($0) }.map { .milliseconds(max(0, $0)) }
    }

    /// Who holds the lease now, in which term; nil when nobody does.
    public func current(on connection: PostgresConnection) throws(PostgresError) -> (holder: String, term: Int64)? {
        let rows = try connection.query("SELECT holder, term FROM lastmile_lease WHERE name = $1 AND expires_at > now()", [name])
        guard let row = rows.first, let holder = row[0], let term = row[1].flatMap({ Int64($0) }) else { return nil }
        return (holder, term)
    }
}

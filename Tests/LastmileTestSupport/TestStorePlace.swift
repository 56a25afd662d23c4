import Foundation
import LastmileStore
import Testing

/// The engines a store test runs on.
public enum StoreEngine: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgres

    public var description: String { rawValue }
}

/// A place for one test's store: a file in a temporary folder, or a fresh database of its own
/// on the test PostgreSQL server. Reopening it finds the same data.
public struct TestStorePlace {
    public let location: StoreLocation
    /// Scratch room for the test (for SQLite, the store's own folder).
    public let directory: TemporaryDirectory

    /// A new place on `engine`; nil when `engine` is PostgreSQL and no server is named outside CI
    /// (under CI a missing server is recorded as a failure). The database is made off the
    /// concurrency pool: libpq blocks, and `CREATE DATABASE` takes a while on a busy machine.
    public static func make(_ engine: StoreEngine) async throws -> TestStorePlace? {
        let directory = try TemporaryDirectory()
        switch engine {
        case .sqlite:
            return TestStorePlace(location: .file(directory.path("s.db")), directory: directory)
        case .postgres:
            guard PostgresTestServer.url != nil else {
                #expect(!PostgresTestServer.isRequired, "LASTMILE_TEST_POSTGRES_URL is not set under CI (.ci/run starts a server)")
                return nil
            }
            let made = await offThePool { () -> Result<String?, any Error> in Result { try PostgresTestServer.freshDatabase() } }
            guard let url = try made.get() else { return nil }
            return TestStorePlace(location: .postgres(url: url), directory: directory)
        }
    }

    /// The store as a command line names it: the file's path or the server's URI.
    public var argument: String {
        switch location {
        case .file(let path): return path
        case .postgres(let url): return url
        }
    }

    /// The instance a test's store writes as, on PostgreSQL.
    public let holder = PostgresTestServer.uniqueName("test")

    /// Opens the store here. On PostgreSQL the test's instance takes the leader lease for an
    /// hour (the same term each time it reopens), since only a leader writes canaries there.
    public func open(_ configuration: StoreConfiguration = StoreConfiguration()) async throws -> CanaryStore {
        let location = self.location, holder = self.holder
        return try await offThePool { () -> Result<CanaryStore, any Error> in
            Result {
                let store = try CanaryStore(location: location, configuration: configuration)
                if case .postgres(let url) = location {
                    let connection = try PostgresConnection(url: url)
                    try PostgresLeaseTable.create(on: connection)
                    guard let term = try PostgresLeaseTable().acquire(holder: holder, duration: .seconds(3_600), on: connection) else {
                        throw PostgresError(message: "another instance holds the test database's lease")
                    }
                    store.setFence(LeaseFence(holder: holder, term: term))
                }
                return store
            }
        }.get()
    }
}

extension PostgresTestServer {
    /// The URL of a new, empty database on the test server; nil when there is no server
    /// outside CI.
    public static func freshDatabase() throws -> String? {
        guard let url else {
            #expect(!isRequired, "LASTMILE_TEST_POSTGRES_URL is not set under CI (.ci/run starts a server)")
            return nil
        }
        let name = uniqueName("lastmile_test")
        let admin = try PostgresConnection(url: url)
        try admin.query("CREATE DATABASE \(name)")
        return database(name, on: url)
    }

    /// `url` with its database replaced by `name`.
    public static func database(_ name: String, on url: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        components.path = "/" + name
        return components.string ?? url
    }
}

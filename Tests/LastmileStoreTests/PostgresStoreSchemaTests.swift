import Foundation
import LastmileTestSupport
import Testing
@testable import LastmileStore

/// The store's schema on PostgreSQL: made once however many instances start at the same moment,
/// and a database from a newer program refused.
@Suite struct PostgresStoreSchemaTests {
    @Test func instancesStartingTogetherMigrateOnceAndAllOpen() async throws {
        guard let place = try await TestStorePlace.make(.postgres), case .postgres(let url) = place.location else { return }
        let opened = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await offThePool { () -> Result<Bool, any Error> in
                        Result { let store = try CanaryStore(location: .postgres(url: url)); store.beginClosing(); return true }
                    }.get()
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(opened == 4)
        let versions = try PostgresConnection(url: url).query("SELECT version FROM lastmile_schema ORDER BY version")
        #expect(versions.map { $0[0] } == (1...PostgresSchema.currentVersion).map { String($0) })
    }

    @Test func refusesADatabaseFromANewerVersion() async throws {
        guard let place = try await TestStorePlace.make(.postgres), case .postgres(let url) = place.location else { return }
        await (try await place.open()).close()
        try PostgresConnection(url: url).query("INSERT INTO lastmile_schema (version) VALUES (99)")
        await #expect(throws: PostgresError.self) { try await place.open() }
    }
}

import Foundation
import LastmileTestSupport
import Testing
@testable import LastmileStore

@Suite struct ReportIDTests {
    /// Steps reserving at once, some of them more than a block, from two instances of one
    /// PostgreSQL store: every id is handed out once.
    @Test func instancesReservingAtOnceNeverShareAnID() async throws {
        guard let place = try await TestStorePlace.make(.postgres), case .postgres(let url) = place.location else { return }
        let stores = try await offThePool { () -> Result<[CanaryStore], any Error> in
            Result { try (0..<2).map { _ in try CanaryStore(location: .postgres(url: url)) } }
        }.get()
        defer { for store in stores { store.beginClosing() } }
        let sizes = [1, 7, 300, 999, 1_500, 2]
        let ids = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for store in stores {
                for size in sizes { group.addTask { try await store.reserveReportIDs(size) } }
            }
            return try await group.reduce(into: [Int64]()) { $0 += $1 }
        }
        #expect(ids.count == 2 * sizes.reduce(0, +))
        #expect(Set(ids).count == ids.count)
        // The blocking form draws from the same blocks.
        let single = try await offThePool { () -> Result<Int64, any Error> in Result { try stores[0].reserveReportID() } }.get()
        #expect(!ids.contains(single))
    }

    /// Ids are in hand only once a block has been fetched, and never more than a block.
    @Test func idsInHandComeFromTheBlockAlreadyFetched() async throws {
        guard let place = try await TestStorePlace.make(.postgres), case .postgres(let url) = place.location else { return }
        let store = try await offThePool { () -> Result<CanaryStore, any Error> in Result { try CanaryStore(location: .postgres(url: url)) } }.get()
        defer { store.beginClosing() }
        #expect(store.reportIDsInHand(1) == nil)
        let first = try await store.reserveReportIDs(1)[0]
        #expect(store.reportIDsInHand(5_000) == nil)
        #expect(store.reportIDsInHand(2) == [first + 1, first + 2])
    }

    @Test func aSQLiteStoreCountsIDsUpInOrder() async throws {
        let directory = try TemporaryDirectory()
        let store = try CanaryStore(path: directory.path("s.db"))
        defer { store.beginClosing() }
        let first = try await store.reserveReportIDs(3)
        let second = try await store.reserveReportIDs(2)
        #expect(first.count == 3 && second.count == 2)
        #expect(first + second == Array(first[0]..<(first[0] + 5)))
        #expect(try await store.reserveReportIDs(0).isEmpty)
        #expect(store.reportIDsInHand(1) == [first[0] + 5])
    }
}

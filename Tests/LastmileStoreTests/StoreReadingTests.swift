import Foundation
import Glibc
import LastmileCore
import LastmileTestSupport
import Synchronization
import Testing
@testable import LastmileStore

@Suite struct StoreReadingTests {
    /// Reads stuck in the database, more of them than the concurrency pool has threads, leave
    /// the pool free: they wait on the store's own thread. Were they run on the callers'
    /// threads, nothing else would run until the watchdog let them go.
    @Test func readsStuckInTheDatabaseHoldNoThreadOfTheCallers() async throws {
        let directory = try TemporaryDirectory()
        let store = try CanaryStore(path: directory.path("s.db"))
        defer { store.beginClosing() }
        let released = Switch(), forced = Switch()
        DispatchQueue.global().asyncAfter(deadline: .now() + 20) {
            forced.turnOn()
            released.turnOn()
        }
        let stuck = (0..<max(8, ProcessInfo.processInfo.activeProcessorCount + 1)).map { _ in
            Task {
                try await store.reading { store -> Int in
                    while !released.isOn { usleep(1_000) }
                    return try store.rowCounts().canaries
                }
            }
        }
        let other = await Task.detached { (1...100).reduce(0, +) }.value
        #expect(!forced.isOn)
        #expect(other == 5_050)
        released.turnOn()
        for read in stuck { #expect(try await read.value == 0) }
    }

    @Test func aReadsErrorReachesItsCaller() async throws {
        let directory = try TemporaryDirectory()
        let store = try CanaryStore(path: directory.path("s.db"))
        defer { store.beginClosing() }
        await #expect(throws: (any Error).self) {
            try await store.reading { store in try store.read { try $0.query("SELECT no_such_column FROM canaries", []).rows() } }
        }
    }
}

/// A flag one thread turns on and others read.
private final class Switch: Sendable {
    private let state = Atomic(false)
    var isOn: Bool { state.load(ordering: .acquiring) }
    func turnOn() { state.store(true, ordering: .releasing) }
}

import Dispatch
import LastmileTestSupport
import Synchronization
import Testing
@testable import LastmileStore

extension GroupCommitWriter {
    /// Starts `writes` while a first write holds the writer, and lets it go once `count` writes
    /// wait behind it, so they make one batch; returns what `writes` returned.
    func holding<T: Sendable>(until count: Int, _ writes: @escaping @Sendable () async -> T) async throws -> T {
        let gate = DispatchSemaphore(value: 0)
        let holding = Atomic<Bool>(false)
        let held = Task {
            try await write { _ in
                holding.store(true, ordering: .releasing)
                gate.wait()
            }
        }
        let heldFirst = await Eventually.holds { holding.load(ordering: .acquiring) }
        let started = Task { await writes() }
        let queued = heldFirst ? await Eventually.holds { self.queuedCount >= count } : false
        gate.signal()
        try await held.value
        try #require(heldFirst && queued, "the writer was held while \(count) writes queued")
        return await started.value
    }
}

import Dispatch

/// Runs CPU-bound work on a Dispatch thread and waits for it. `swift test` runs every suite in
/// one process, and Swift's concurrency pool has one thread per core: seconds of computation on
/// it would starve the suites that serve HTTP beside it.
public func offThePool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: work()) }
    }
}

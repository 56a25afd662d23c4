import Dispatch

/// A serial Dispatch queue for calls that block (the file system, a library that waits), and a
/// way to wait for them without holding a thread of Swift's concurrency pool: the pool has one
/// thread per core, so a folder on a hung network mount read there would stall every task.
public struct BlockingQueue: Sendable {
    private let queue: DispatchQueue

    public init(label: String) {
        queue = DispatchQueue(label: label)
    }

    /// Runs `body` on the queue, after whatever was handed to it before, and returns its result.
    public func run<T: Sendable, Failure: Error>(_ body: @escaping @Sendable () throws(Failure) -> T) async throws(Failure) -> T {
        let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, Failure>, Never>) in
            queue.async {
                do throws(Failure) {
                    continuation.resume(returning: .success(try body()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try outcome.get()
    }
}

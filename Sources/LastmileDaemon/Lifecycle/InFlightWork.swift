import LastmileBase
import Synchronization

/// Counts pieces of work started in their own tasks (a send, a notification), so a shutdown
/// can stop new ones and wait for the rest without polling.
final class InFlightWork: Sendable {
    private struct State {
        var count = 0
        var isClosed = false
        var idleWaiters: [AsyncLatch] = []
    }

    private let state = Mutex(State())

    init() {}

    /// Work in flight now.
    var count: Int { state.withLock { $0.count } }

    /// Counts one more piece of work; false once closed (the work must not start).
    func start() -> Bool {
        state.withLock { state in
            guard !state.isClosed else { return false }
            state.count += 1
            return true
        }
    }

    /// Counts one piece of work done.
    func end() {
        let waiters = state.withLock { state -> [AsyncLatch] in
            state.count -= 1
            guard state.count == 0 else { return [] }
            defer { state.idleWaiters = [] }
            return state.idleWaiters
        }
        for waiter in waiters { waiter.open() }
    }

    /// Takes no more work.
    func close() {
        state.withLock { $0.isClosed = true }
    }

    /// Waits until nothing is in flight, or `timeout` passes; true when nothing is.
    func drained(timeout: Duration) async -> Bool {
        let latch = AsyncLatch()
        let idle = state.withLock { state -> Bool in
            if state.count == 0 { return true }
            state.idleWaiters.append(latch)
            return false
        }
        if idle { return true }
        return await latch.wait(timeout: timeout)
    }

    /// Runs `body` in a task of its own, counted while it runs; does nothing once closed
    /// (returns false then).
    @discardableResult
    func spawn(_ body: @escaping @Sendable () async -> Void) -> Bool {
        guard start() else { return false }
        Task {
            await body()
            end()
        }
        return true
    }
}

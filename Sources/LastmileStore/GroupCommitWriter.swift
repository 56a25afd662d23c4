import Dispatch
import Foundation
import LastmileBase
import Synchronization

/// The store's single writer. Writes queue up while a transaction commits; the
/// next transaction takes all of them at once (up to `maximumBatch`). When one of
/// them fails, each is run again in a transaction of its own, so one failing write
/// does not undo the others. A caller's `write` returns only after the transaction
/// holding its write has committed.
final class GroupCommitWriter: Sendable {
    private struct Job: Sendable {
        /// Runs the write inside the open transaction. Returns nil on success and the
        /// way to deliver its value once the commit is known; or the write's own error.
        let execute: @Sendable (any DatabaseConnection) -> Result<@Sendable () -> Void, any Error>
        /// Tells the caller the write did not commit.
        let fail: @Sendable (any Error) -> Void
    }

    private struct Queue {
        var jobs: [Job] = []
        var closed = false
    }

    private let connection: Mutex<any DatabaseConnection>
    private let queue = Mutex(Queue())
    private let wakeup = DispatchSemaphore(value: 0)
    /// Opens when the writer thread has finished the last queued write and ended.
    private let stopped = AsyncLatch()
    private let maximumBatch: Int
    private let transactions = Atomic<Int>(0)
    /// Runs first in every transaction; when it throws, nothing of the batch is written.
    private let admission: (@Sendable (any DatabaseConnection) throws -> Void)?
    /// Whether a batch that could not begin is run again write by write: on a server, which may
    /// have restarted; not on a file, whose `BEGIN` fails only once it has waited out another
    /// writer's lock, which every write would wait out again.
    private let retriesUnbegunBatches: Bool

    init(connection: consuming sending any DatabaseConnection, maximumBatch: Int, name: String = "lastmile-store-writer",
         admission: (@Sendable (any DatabaseConnection) throws -> Void)? = nil) {
        retriesUnbegunBatches = connection.dialect != .sqlite
        self.connection = Mutex(connection)
        self.maximumBatch = maximumBatch
        self.admission = admission
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    /// Transactions committed or attempted so far.
    var transactionCount: Int { transactions.load(ordering: .relaxed) }

    /// Writes queued and not yet taken into a transaction.
    var queuedCount: Int { queue.withLock { $0.jobs.count } }

    /// Runs `body` in the next transaction and returns once that transaction committed. When
    /// another write of the same transaction fails, the transaction is undone and `body` runs
    /// again in the next one: it must change nothing but the database.
    func write<T: Sendable>(isolation: isolated (any Actor)? = #isolation,
                            _ body: @escaping @Sendable (any DatabaseConnection) throws -> T) async throws -> T {
        // Queued on the caller's actor before it suspends, so one actor's writes keep their order.
        try await withCheckedThrowingContinuation(isolation: isolation) { continuation in
            let job = Job(
                execute: { connection in
                    do {
                        let value = try body(connection)
                        return .success({ continuation.resume(returning: value) })
                    } catch {
                        return .failure(error)
                    }
                },
                fail: { error in continuation.resume(throwing: error) }
            )
            let accepted = queue.withLock { state -> Bool in
                guard !state.closed else { return false }
                state.jobs.append(job)
                return true
            }
            if accepted {
                wakeup.signal()
            } else {
                continuation.resume(throwing: SQLiteError(code: 0, message: "store is closed"))
            }
        }
    }

    /// Finishes queued writes, then stops the writer thread; returns once it has.
    func close() async {
        beginClosing()
        await stopped.wait()
    }

    /// Takes no more writes; the writer thread ends after the queued ones, unwaited.
    func beginClosing() {
        let wasOpen = queue.withLock { state -> Bool in
            defer { state.closed = true }
            return !state.closed
        }
        if wasOpen { wakeup.signal() }
    }

    private func run() {
        while true {
            wakeup.wait()
            while true {
                let (batch, closed) = queue.withLock { state -> ([Job], Bool) in
                    let count = min(state.jobs.count, maximumBatch)
                    let batch = Array(state.jobs.prefix(count))
                    state.jobs.removeFirst(count)
                    return (batch, state.closed)
                }
                if batch.isEmpty {
                    if closed {
                        stopped.open()
                        return
                    }
                    break
                }
                commit(batch)
            }
        }
    }

    private func commit(_ batch: [Job]) {
        // The batch goes without a savepoint per write (in SQLite one costs a copy of every page
        // the write touches that an earlier write of the batch touched too; on a server, a round
        // trip). A write that fails undoes the transaction: it is told so (it failed after the
        // writes before it, as it would have in order), and the others go again without it, so
        // each failing write costs one more transaction, not one per write.
        var pending = batch
        var begunAgain = false
        while !pending.isEmpty {
            transactions.add(1, ordering: .relaxed)
            let ended = transaction(pending)
            if let last = ended.outcomes.last, case .failure(let error) = last.result {
                last.job.fail(error)
                pending.remove(at: ended.outcomes.count - 1)
                continue
            }
            if let error = ended.commitError {
                // A batch that could not begin on a server (one that restarted; nothing of it
                // ran) goes again, once.
                if ended.outcomes.isEmpty, retriesUnbegunBatches, !begunAgain {
                    begunAgain = true
                    continue
                }
                // SQLite found no room for the transaction at COMMIT (a full disk): nothing of
                // it is stored, and which write did not fit is not known, so each goes alone.
                // Any other failed COMMIT is not run again: the connection to a server may have
                // broken after the server committed it, and the writes would be stored twice;
                // its callers are told it failed, and a sender tries again.
                if !ended.outcomes.isEmpty, pending.count > 1, (error as? SQLiteError)?.isFull == true {
                    for job in pending {
                        transactions.add(1, ordering: .relaxed)
                        finish([job], transaction([job]))
                    }
                    return
                }
            }
            finish(pending, ended)
            return
        }
    }

    private typealias Outcomes = (outcomes: [(job: Job, result: Result<@Sendable () -> Void, any Error>)], commitError: (any Error)?)

    /// Runs `batch` in one transaction; a failing write aborts the lot.
    private func transaction(_ batch: [Job]) -> Outcomes {
        var outcomes: [(job: Job, result: Result<@Sendable () -> Void, any Error>)] = []
        outcomes.reserveCapacity(batch.count)
        let commitError: (any Error)? = connection.withLock { connection -> (any Error)? in
            // A server that restarted left the connection broken: connect again before the next try.
            connection.reconnectIfBroken()
            do {
                try connection.beginWrite()
            } catch {
                return error
            }
            if let admission {
                do {
                    try admission(connection)
                } catch {
                    try? connection.execute("ROLLBACK")
                    return error
                }
            }
            for job in batch {
                let result = job.execute(connection)
                outcomes.append((job, result))
                if case .failure = result {
                    // SQLite may have undone the transaction already (a full disk, an I/O error).
                    try? connection.execute("ROLLBACK")
                    return result.failure
                }
            }
            do {
                try connection.execute("COMMIT")
                return nil
            } catch {
                try? connection.execute("ROLLBACK")
                return error
            }
        }
        return (outcomes, commitError)
    }

    /// Tells each caller of `batch` how its write ended.
    private func finish(_ batch: [Job], _ ended: Outcomes) {
        let (outcomes, commitError) = ended
        if let commitError, outcomes.isEmpty {
            for job in batch { job.fail(commitError) }
            return
        }
        for (job, result) in outcomes {
            switch result {
            case .success(let deliver):
                if let commitError { job.fail(commitError) } else { deliver() }
            case .failure(let error):
                job.fail(error)
            }
        }
        // Writes never reached (the transaction ended at an earlier failure) did not commit either.
        for job in batch.dropFirst(outcomes.count) { job.fail(commitError ?? StoreConflict(message: "the transaction ended early")) }
    }
}

extension Result {
    /// The error, when it is one.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

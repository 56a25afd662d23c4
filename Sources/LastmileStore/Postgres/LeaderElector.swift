import Foundation
import Glibc
import LastmileBase
import LastmileCore
import Synchronization

/// Keeps trying to hold the cluster's leader lease for one instance, on a thread of its own
/// (libpq blocks): an attempt every third of a lease, a new connection whenever the last one
/// failed. Whether the instance leads is read from `LeaderLease` at the moment of asking, so a
/// leader whose thread is stuck on a dead connection stops leading when its lease runs out,
/// before any other instance can take it over.
public final class LeaderElector: Sendable {
    public let holder: String
    public let url: String
    private let table: PostgresLeaseTable
    private let lease: Mutex<LeaderLease>
    private let stopping = Atomic<Bool>(false)
    /// Written when stopping, so the thread's wait between attempts ends at once.
    private let wake: (read: Int32, write: Int32)
    /// Opens when the thread has ended.
    private let ended = AsyncLatch()
    /// Whether to give the lease up when the thread ends.
    private let resignOnStop = Atomic<Bool>(true)

    public init(url: String, holder: String, lease duration: Duration, table: PostgresLeaseTable = PostgresLeaseTable()) {
        self.url = url
        self.holder = holder
        self.table = table
        lease = Mutex(LeaderLease(duration: duration))
        var ends: [Int32] = [-1, -1]
        if pipe(&ends) == 0 { for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) } }
        wake = (ends[0], ends[1])
    }

    deinit {
        if wake.read >= 0 { Glibc.close(wake.read) }
        if wake.write >= 0 { Glibc.close(wake.write) }
    }

    /// Whether this instance may act as the leader now.
    public var isLeading: Bool { lease.withLock { $0.isLeader(at: .now) } }

    /// The term this instance leads in now; nil when it does not lead.
    public var term: Int64? { lease.withLock { $0.isLeader(at: .now) ? $0.term : nil } }

    /// Starts trying to take and keep the lease.
    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = "lastmile-leader"
        thread.start()
    }

    /// Stops trying, and gives the lease up when `resign` (a stopped leader lets another take
    /// over at once rather than when its lease runs out). Returns when the thread has ended.
    public func stop(resign: Bool = true) async {
        resignOnStop.store(resign, ordering: .sequentiallyConsistent)
        stopping.store(true, ordering: .sequentiallyConsistent)
        var byte: UInt8 = 1
        _ = Glibc.write(wake.write, &byte, 1)
        await ended.wait(timeout: .seconds(30))
    }

    private func run() {
        defer { ended.open() }
        var connection: PostgresConnection?
        let duration = lease.withLock { $0.duration }
        while !stopping.load(ordering: .relaxed) {
            let next = lease.withLock { $0.nextAttempt(after: .now) }
            waitUntil(next)
            guard !stopping.load(ordering: .relaxed) else { break }
            let started = ContinuousClock.now
            do throws(PostgresError) {
                if connection?.isOpen != true {
                    connection = nil
                    let opened = try PostgresConnection(url: url, timeout: max(1, Int(duration.components.seconds / 3)),
                                                        answerTimeout: duration / 3)
                    try PostgresLeaseTable.create(on: opened)
                    connection = opened
                }
                guard let connection else { continue }
                let term = try table.acquire(holder: holder, duration: duration, on: connection)
                // Lost: learn when the holder's lease ends, to try again right after.
                let othersRemaining = term == nil ? try table.remaining(on: connection) : nil
                lease.withLock { lease in
                    if let term {
                        lease.won(term: term, attemptStartedAt: started)
                    } else {
                        lease.lost(attemptStartedAt: started, othersRemaining: othersRemaining)
                    }
                }
            } catch {
                connection = nil
                lease.withLock { $0.failed(attemptStartedAt: started) }
            }
        }
        let held = lease.withLock { lease -> Bool in
            defer { lease.resign() }
            return lease.isLeader(at: .now)
        }
        if held, resignOnStop.load(ordering: .relaxed), let connection {
            try? table.release(holder: holder, on: connection)
        }
    }

    /// Sleeps until `instant`, or until `stop` writes to the wake pipe.
    private func waitUntil(_ instant: ContinuousClock.Instant) {
        let milliseconds = ContinuousClock.now.duration(to: instant).wholeMilliseconds
        guard milliseconds > 0 else { return }
        var waiting = pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)
        _ = poll(&waiting, 1, Int32(clamping: milliseconds))
    }
}

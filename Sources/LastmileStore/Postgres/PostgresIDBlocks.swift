import Dispatch
import Synchronization

/// Report ids from the database's sequence, a block at a time, so instances sharing the store
/// never hand out the same id and only one call in `blockSize` asks the server. The server is
/// asked on a thread of its own: an engine step that needs ids waits for them without holding
/// an event loop or the concurrency pool (a connect can take its 5 s timeout).
final class PostgresIDBlocks: ReportIDSource {
    static let blockSize: Int64 = 1_000

    private struct Block {
        var next: Int64 = 0
        var end: Int64 = 0

        var remaining: Int64 { end - next }

        /// Up to `count` ids from the block.
        mutating func take(_ count: Int) -> [Int64] {
            let taken = min(Int64(count), remaining)
            guard taken > 0 else { return [] }
            defer { next += taken }
            return Array(next..<(next + taken))
        }
    }

    private let url: String
    private let block = Mutex(Block())
    /// The only place the sequence is asked, one request at a time.
    private let asking = DispatchQueue(label: "lastmile-report-ids")
    /// Used only on `asking`.
    private let connection = Mutex<PostgresConnection?>(nil)
    /// The last failure to get a block, and when: steps queued behind it fail at once instead of
    /// each waiting out a connect timeout of its own.
    private let lastFailure = Mutex<(at: ContinuousClock.Instant, error: any Error)?>(nil)
    static let failureHold = Duration.seconds(1)

    init(url: String) {
        self.url = url
    }

    func next() throws -> Int64 {
        while true {
            if let id = block.withLock({ $0.take(1).first }) { return id }
            try asking.sync { try refill() }
        }
    }

    func inHand(_ count: Int) -> [Int64]? {
        block.withLock { $0.remaining >= Int64(count) ? $0.take(count) : nil }
    }

    func next(_ count: Int) async throws -> [Int64] {
        var ids: [Int64] = []
        while true {
            let needed = count - ids.count
            ids += block.withLock { $0.take(needed) }
            guard ids.count < count else { return ids }
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                asking.async { continuation.resume(with: Result { try self.refill() }) }
            }
        }
    }

    /// On `asking`: puts a new block from the sequence in hand, unless the block in hand has ids
    /// again (a step queued earlier fetched one), so steps that ran dry together ask once.
    private func refill() throws {
        guard block.withLock({ $0.remaining <= 0 }) else { return }
        if let failure = lastFailure.withLock({ $0 }), ContinuousClock.now - failure.at < Self.failureHold { throw failure.error }
        do {
            let fetched = try fetchBlock()
            lastFailure.withLock { $0 = nil }
            block.withLock { if $0.remaining <= 0 { $0 = fetched } }
        } catch {
            lastFailure.withLock { $0 = (.now, error) }
            throw error
        }
    }

    /// A new block from the sequence; on `asking` only.
    private func fetchBlock() throws -> Block {
        try connection.withLock { held throws -> Block in
            let connection = try held ?? PostgresConnection(url: url)
            held = connection
            do {
                guard let start = try connection.query("SELECT nextval('report_ids')").first?[0].flatMap({ Int64($0) }) else {
                    throw PostgresError(message: "the report id sequence gave nothing")
                }
                return Block(next: start, end: start + Self.blockSize)
            } catch {
                held = nil
                throw error
            }
        }
    }
}

import Synchronization

/// Report ids from the database's sequence, a block at a time, so instances sharing the store
/// never hand out the same id and only one call in `blockSize` asks the server.
final class PostgresIDBlocks: ReportIDSource {
    static let blockSize: Int64 = 1_000

    private struct Block {
        var next: Int64 = 0
        var end: Int64 = 0
        var connection: PostgresConnection?
    }

    private let url: String
    private let block = Mutex(Block())

    init(url: String) {
        self.url = url
    }

    func next() throws -> Int64 {
        try block.withLock { block throws -> Int64 in
            if block.next >= block.end {
                let connection = try block.connection ?? PostgresConnection(url: url)
                block.connection = connection
                do {
                    guard let start = try connection.query("SELECT nextval('report_ids')").first?[0].flatMap({ Int64($0) }) else {
                        throw PostgresError(message: "the report id sequence gave nothing")
                    }
                    block.next = start
                    block.end = start + Self.blockSize
                } catch {
                    block.connection = nil
                    throw error
                }
            }
            defer { block.next += 1 }
            return block.next
        }
    }
}

import Foundation
import LastmileStore

extension TemporaryDirectory {
    /// A new SQLite store `name` here that has room for only `pages` pages beyond its empty
    /// schema: a disk that fills up, made to order. Its path is `path(name)`.
    public func store(named name: String, roomForPages pages: Int) async throws -> CanaryStore {
        let file = path(name)
        // Closed, the store is all in its file (the WAL checkpointed): its size in pages is what it uses.
        await (try CanaryStore(path: file)).close()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        // The page size, big-endian at offset 16 of the header (1 stands for 65,536).
        let pageSize = bytes.count > 18 ? Int(bytes[16]) << 8 | Int(bytes[17]) : 4_096
        let used = bytes.count / (pageSize == 1 ? 65_536 : max(pageSize, 512))
        return try CanaryStore(path: file, configuration: StoreConfiguration(maximumPageCount: used + pages))
    }
}

import Foundation

/// How the store opens and writes its database.
public struct StoreConfiguration: Sendable, Hashable {
    /// Most writes one transaction may carry. 1 turns group commit off.
    public var maximumBatch: Int
    /// How long a connection waits for a lock before failing.
    public var busyTimeout: TimeInterval
    /// `FULL` survives power loss as well as crashes; `NORMAL` only crashes.
    public var synchronous: Synchronous
    /// Most pages the database may grow to (nil: SQLite's own limit). Used to test a full disk.
    public var maximumPageCount: Int?
    /// Most bytes of reports a shared store's inbox may hold waiting for a leader; beyond it a
    /// report is refused (its hook answers 503 and the sender retries) rather than filling the disk.
    public var maximumInboxBytes: Int

    public enum Synchronous: String, Sendable, Hashable {
        case full = "FULL"
        case normal = "NORMAL"
    }

    public init(maximumBatch: Int = 512, busyTimeout: TimeInterval = 5, synchronous: Synchronous = .full,
                maximumPageCount: Int? = nil, maximumInboxBytes: Int = 1 << 30) {
        self.maximumBatch = max(1, maximumBatch)
        self.busyTimeout = busyTimeout
        self.synchronous = synchronous
        self.maximumPageCount = maximumPageCount
        self.maximumInboxBytes = maximumInboxBytes
    }
}

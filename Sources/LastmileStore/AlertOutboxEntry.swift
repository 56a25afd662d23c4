import Foundation

/// A notice waiting to be delivered to one notifier, kept in the store so that a restart, or a
/// new leader, still delivers it.
public struct AlertOutboxEntry: Sendable, Hashable {
    /// Which entry, and which version of it: delivering a notice removes only that version, never
    /// a newer notice about the same alert queued meanwhile.
    public struct Stamp: Sendable, Hashable {
        /// The notifier it waits for (its kind and address).
        public var notifier: String
        /// The alert it is about; one entry per notifier and alert.
        public var alert: String
        public var version: Int64

        public init(notifier: String, alert: String, version: Int64) {
            self.notifier = notifier
            self.alert = alert
            self.version = version
        }
    }

    public var stamp: Stamp
    /// The notice, encoded by whoever delivers it.
    public var notice: Data
    public var queuedAt: Date

    public init(stamp: Stamp, notice: Data, queuedAt: Date) {
        self.stamp = stamp
        self.notice = notice
        self.queuedAt = queuedAt
    }
}

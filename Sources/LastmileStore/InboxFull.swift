import Foundation

/// The inbox holds as many reports as it may while no leader takes them out: try again later.
public struct InboxFull: Error, CustomStringConvertible {
    public let bytes: Int
    public let limit: Int
    public var description: String { "the shared inbox holds \(bytes) bytes of reports waiting for a leader, its limit is \(limit); retry later" }
}

import Foundation
import LastmileCore
import Synchronization

/// What really happened to one message in the simulated network.
public struct MessageTruth: Sendable, Hashable {
    public var route: String
    public var carrier: String
    public var receiver: String
    public var to: String
    public var body: String
    /// The token found in the body sent.
    public var token: Token?
    /// When the send request reached the simulator (seconds since it started).
    public var sendReceivedAt: Double
    /// What the API answered.
    public var outcome: SubmitOutcome
    public var messageID: String?
    /// Whether the phone got it.
    public var delivered: Bool
    /// When the first arrival report left for Lastmile (seconds since the simulator started), if delivered.
    public var arrivalPostedAt: Double?
    /// How many arrival reports were posted (2 for a double delivery).
    public var arrivalsPosted: Int
    /// Receipt statuses posted, in order.
    public var receiptsPosted: [String]
    /// Arrival reports Lastmile answered with a 2xx (an instance committed them).
    public var arrivalsAcknowledged = 0
    /// When the latest attempt to post an arrival left; it becomes `arrivalPostedAt` when acknowledged.
    var arrivalAttemptAt: Double?
    /// Receipts Lastmile answered with a 2xx.
    public var receiptsAcknowledged = 0
    public var alteredBody: Bool
    public var alteredSender: Bool
    public var falseReceipt: Bool

    /// Seconds from the send reaching the network to the arrival leaving the phone.
    public var latency: Double? { arrivalPostedAt.map { $0 - sendReceivedAt } }
}

/// Every message the simulator has seen, by the body sent.
public final class GroundTruthLog: Sendable {
    private let records = Mutex<[String: MessageTruth]>([:])
    private let order = Mutex<[String]>([])

    public init() {}

    func record(_ key: String, _ truth: MessageTruth) {
        let isNew = records.withLock { records -> Bool in
            defer { records[key] = truth }
            return records[key] == nil
        }
        if isNew { order.withLock { $0.append(key) } }
    }

    func update(_ key: String, _ change: (inout MessageTruth) -> Void) {
        records.withLock { records in
            if var truth = records[key] {
                change(&truth)
                records[key] = truth
            }
        }
    }

    /// Every message, in the order the sends came.
    public var all: [MessageTruth] {
        let keys = order.withLock { $0 }
        return records.withLock { records in keys.compactMap { records[$0] } }
    }

    public func truth(for token: Token) -> MessageTruth? {
        all.first { $0.token == token }
    }
}

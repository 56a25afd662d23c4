import Foundation
import HTTP
import LastmileConfig

/// A message a receiving phone reports.
public struct ParsedArrival: Sendable, Hashable {
    public var from: String
    public var to: String?
    public var body: String
    public var receivedAt: Date?
    /// Set for one part of a multi-part (concatenated) message, which is matched only once whole.
    public var part: MessagePart?

    public init(from: String, to: String?, body: String, receivedAt: Date?, part: MessagePart? = nil) {
        self.from = from
        self.to = to
        self.body = body
        self.receivedAt = receivedAt
        self.part = part
    }
}

/// Where one part of a concatenated SMS belongs.
public struct MessagePart: Sendable, Hashable {
    /// The reference shared by all parts of one message (with the sender, it names the message).
    public var reference: String
    public var total: Int
    /// 1-based.
    public var index: Int

    public init(reference: String, total: Int, index: Int) {
        self.reference = reference
        self.total = total
        self.index = index
    }
}

/// Reads one arrival source's reports.
public protocol ArrivalParser: Sendable {
    /// The arrivals in a request; empty for an event that is not an arrival (it is acknowledged and ignored).
    func arrivals(from request: HTTPRequest) throws(ReportError) -> [ParsedArrival]
}

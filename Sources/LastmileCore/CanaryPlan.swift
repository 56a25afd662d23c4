import Foundation

/// Which timestamp a receiver's latency is measured with.
public enum LatencyClock: String, Hashable, Sendable, Codable, CaseIterable {
    /// The time Lastmile ingested the arrival report.
    case ingest
    /// The time the receiver says the message arrived.
    case receiver
}

/// Everything decided about a canary before it is sent.
public struct CanaryPlan: Hashable, Sendable, Codable {
    /// Unique id of the canary.
    public var id: String
    /// The token carried in the body.
    public var token: Token
    public var route: String
    public var carrier: String
    public var probe: String
    /// The receiver's configured name.
    public var receiver: String
    /// The receiving number.
    public var to: String
    /// The sender id the route sends from.
    public var from: String
    /// The exact body sent.
    public var body: String
    /// Arrivals within this many seconds of submit start are on time.
    public var threshold: TimeInterval
    /// After this many seconds from submit start a canary with no arrival settles.
    public var deadline: TimeInterval
    /// Which timestamp the receiver's latency uses.
    public var latencyClock: LatencyClock
    /// When the schedule wanted the canary sent; nil when it was not sent by a schedule
    /// (or was recorded before schedules were stored).
    public var scheduledAt: Date?

    public init(id: String, token: Token, route: String, carrier: String, probe: String, receiver: String,
                to: String, from: String, body: String, threshold: TimeInterval, deadline: TimeInterval,
                latencyClock: LatencyClock = .ingest, scheduledAt: Date? = nil) {
        self.id = id
        self.token = token
        self.route = route
        self.carrier = carrier
        self.probe = probe
        self.receiver = receiver
        self.to = to
        self.from = from
        self.body = body
        self.threshold = threshold
        self.deadline = deadline
        self.latencyClock = latencyClock
        self.scheduledAt = scheduledAt
    }
}

extension Token: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let token = Token(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a token: \(text)"))
        }
        self = token
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

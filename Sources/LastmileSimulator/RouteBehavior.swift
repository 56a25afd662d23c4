import Foundation

/// How the simulated network treats one route's messages (optionally per carrier).
public struct RouteBehavior: Sendable, Hashable {
    /// The API refuses the send (a 4xx).
    public var rejectRate = 0.0
    /// The API fails (a 5xx).
    public var errorRate = 0.0
    /// Of API failures, the share whose message is delivered anyway.
    public var errorButDeliveredRate = 0.0
    /// How long the API takes to answer.
    public var apiLatency: LatencyDistribution = .uniform(0.005, 0.03)
    /// From the send to the phone.
    public var deliveryLatency: LatencyDistribution = .logNormal(median: 1.0, sigma: 0.3)
    /// Accepted messages the carrier drops without a word.
    public var dropRate = 0.0
    /// Of dropped messages, the share whose receipt still says delivered (a lying route).
    public var falseReceiptRate = 0.0
    /// Of dropped messages without a false receipt, the share that gets an honest failure receipt (the rest: silence).
    public var honestFailureRate = 1.0
    /// Receipts sent twice.
    public var duplicateReceiptRate = 0.0
    /// Receipts sent with an earlier status after the final one.
    public var outOfOrderReceiptRate = 0.0
    /// Delivered messages that arrive twice.
    public var deliverTwiceRate = 0.0
    /// Delivered messages whose body gains a carrier prefix.
    public var alterBodyRate = 0.0
    /// Delivered messages whose sender is replaced.
    public var alterSenderRate = 0.0
    /// Seconds the phone's clock is ahead (negative: behind).
    public var phoneClockSkew = 0.0
    /// From the send to the receipt (added to the delivery time for delivered messages).
    public var receiptDelay: LatencyDistribution = .uniform(0.05, 0.3)
    /// Windows (seconds after the simulator started) when the API is down and answers 503.
    public var downWindows: [ClosedRange<Double>] = []

    public init() {}

    /// The built-in story of `lastmile demo`, by route name.
    public static func demo(route: String, carrier: String) -> RouteBehavior {
        var behavior = RouteBehavior()
        switch route {
        case "lying":
            // The API says "success", receipts say DELIVRD, and the carrier silently drops a share.
            behavior.dropRate = carrier.contains("AT&T") ? 0.4 : 0.2
            behavior.falseReceiptRate = 1.0
            behavior.deliveryLatency = .logNormal(median: 1.2, sigma: 0.35)
        case "queued":
            // A queue: most messages wait longer than the 4 s threshold, some past the 12 s deadline.
            behavior.deliveryLatency = .mixture(.logNormal(median: 2.0, sigma: 0.3), .logNormal(median: 7.0, sigma: 0.4), rate: 0.6)
            behavior.receiptDelay = .uniform(0.5, 2)
        default:
            behavior.deliveryLatency = .logNormal(median: 0.8, sigma: 0.3)
        }
        return behavior
    }
}

/// What an SLO measures, per route × carrier.
public enum Indicator: String, CaseIterable, Hashable, Sendable, Codable {
    /// Good: delivered on time. Total: every settled canary.
    case delivery
    /// Bad: lost. Total: accepted canaries that settled. The alert that matters most.
    case acceptedDelivery = "accepted_delivery"
    /// Good: arrived within the threshold. Total: arrived.
    case latency
    /// Bad: false receipts. Total: canaries whose receipt said delivered.
    case receiptHonesty = "receipt_honesty"
}

/// An alert that a route × carrier is worse than its objective allows, raised only
/// with enough evidence: at least `minimumEvents` events, and an exact one-sided
/// binomial lower bound (95 %) of the bad rate above the rate the objective allows.
public struct EvidenceAlert: Sendable, Hashable {
    public var name: String
    public var route: String
    public var carrier: String
    public var badEvents: Int
    public var totalEvents: Int
    /// The rate the objective allows (1 − objective).
    public var allowedRate: Double
    public var lowerBound: Double

    public var observedRate: Double { totalEvents > 0 ? Double(badEvents) / Double(totalEvents) : 0 }

    /// What an on-call engineer reads.
    public var summary: String {
        let observed = String(format: "%.1f%%", observedRate * 100)
        let allowed = String(format: "%.1f%%", allowedRate * 100)
        let bound = String(format: "%.1f%%", lowerBound * 100)
        switch name {
        case "AcceptedButUndelivered":
            return "\(route) × \(carrier): \(observed) of accepted messages never arrived (\(badEvents) of \(totalEvents)); "
                + "at least \(bound) with 95% confidence, objective allows \(allowed)"
        default:
            return "\(name) \(route) × \(carrier): \(observed) bad (\(badEvents) of \(totalEvents)), at least \(bound), allowed \(allowed)"
        }
    }

    /// Alerts for each summary whose indicator is provably worse than `objective`.
    public static func evaluate(_ summaries: [RouteCarrierSummary], indicator: Indicator, objective: Double,
                                minimumEvents: Int) -> [EvidenceAlert] {
        summaries.compactMap { summary in
            let (name, bad, total): (String, Int, Int)
            switch indicator {
            case .acceptedDelivery: (name, bad, total) = ("AcceptedButUndelivered", summary.lost, summary.acceptedSettled)
            case .delivery: (name, bad, total) = ("DeliveryBelowObjective", summary.settled - (summary.verdicts[.delivered] ?? 0), summary.settled)
            case .latency: (name, bad, total) = ("LatencyBelowObjective", summary.verdicts[.late] ?? 0, summary.arrived)
            case .receiptHonesty: (name, bad, total) = ("FalseDeliveryReceipts", summary.falseReceipts, summary.receiptDelivered)
            }
            guard total >= minimumEvents else { return nil }
            let allowed = 1 - objective
            let lower = Binomial.lowerBound(events: bad, trials: total)
            guard lower > allowed else { return nil }
            return EvidenceAlert(name: name, route: summary.route, carrier: summary.carrier, badEvents: bad, totalEvents: total,
                                 allowedRate: allowed, lowerBound: lower)
        }
    }
}

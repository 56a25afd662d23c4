/// The alerts Lastmile raises, by the names on-call sees (Alertmanager's `alertname`).
public enum AlertName: String, Sendable, Hashable, CaseIterable, Comparable, Codable {
    /// Accepted messages are not arriving: the alert that matters most.
    case acceptedButUndelivered = "AcceptedButUndelivered"
    /// Fewer messages are delivered on time than the objective allows.
    case deliveryBelowObjective = "DeliveryBelowObjective"
    /// Messages arrive after the threshold.
    case deliveryLate = "DeliveryLate"
    /// Receipts say delivered for messages that never arrived.
    case falseDeliveryReceipts = "FalseDeliveryReceipts"
    /// Every route to one receiving phone or modem fails while those routes reach others: the receiver, not the routes.
    case receiverSilent = "ReceiverSilent"
    /// Every route to every receiver on one carrier fails while those routes reach other carriers.
    case carrierLoss = "CarrierLoss"

    /// The alert an SLO on `indicator` raises.
    public init(indicator: Indicator) {
        switch indicator {
        case .acceptedDelivery: self = .acceptedButUndelivered
        case .delivery: self = .deliveryBelowObjective
        case .latency: self = .deliveryLate
        case .receiptHonesty: self = .falseDeliveryReceipts
        }
    }

    /// What the observed rate counts, after "12.5% " in a notification's summary.
    public var observedPhrase: String {
        switch self {
        case .acceptedButUndelivered: return "of accepted messages never arrived"
        case .deliveryBelowObjective: return "of messages were not delivered on time"
        case .deliveryLate: return "of arrived messages came after the threshold"
        case .falseDeliveryReceipts: return "of \"delivered\" receipts were for messages that never arrived"
        case .receiverSilent: return "of the canaries to this receiver never arrived, from every route"
        case .carrierLoss: return "of the canaries to this carrier's receivers never arrived, from every route"
        }
    }

    /// What is going wrong, for the summary of a Prometheus rule.
    public var problemPhrase: String {
        switch self {
        case .acceptedButUndelivered: return "accepted messages are not arriving"
        case .deliveryBelowObjective: return "messages are not delivered on time"
        case .deliveryLate: return "messages arrive after the threshold"
        case .falseDeliveryReceipts: return "receipts say delivered for messages that never arrived"
        case .receiverSilent: return "a receiver hears no route"
        case .carrierLoss: return "a carrier's receivers hear no route"
        }
    }

    /// Whether the lost canaries are the evidence (the status page links them).
    public var concernsLostCanaries: Bool {
        switch self {
        case .acceptedButUndelivered, .falseDeliveryReceipts, .receiverSilent, .carrierLoss: return true
        case .deliveryBelowObjective, .deliveryLate: return false
        }
    }

    public static func < (lhs: AlertName, rhs: AlertName) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The settled outcome of a canary, decided once.
public enum Verdict: String, CaseIterable, Hashable, Sendable, Codable {
    /// Arrived within the threshold.
    case delivered
    /// Arrived after the threshold, before the deadline.
    case late
    /// Accepted (or unknown submit) and nothing arrived by the deadline.
    case lost
    /// The API refused it and nothing arrived.
    case rejected
    /// Transport error, timeout or 5xx, and nothing arrived.
    case sendError = "send_error"

    /// Whether the canary reached the phone.
    public var arrived: Bool { self == .delivered || self == .late }
}

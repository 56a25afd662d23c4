/// Why a scheduled canary was not sent: the `reason` label of the skipped-canaries counter.
public enum SkipReason: String, CaseIterable, Sendable {
    /// The route's `daily_cap` is reached.
    case dailyCap = "daily_cap"
    /// The route's `concurrency` sends are in flight.
    case concurrency
    /// The route has no adapter that can send.
    case noAdapter = "no_adapter"
    /// The store did not record the canary, so it was not sent.
    case storeError = "store_error"
}

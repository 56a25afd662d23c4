import LastmileBase
import Synchronization

/// A request to stop, and the time by which to be done.
final class Shutdown: Sendable {
    /// Opens when the stop is requested.
    let requested = AsyncLatch()
    private let deadline = Mutex<ContinuousClock.Instant?>(nil)

    init() {}

    /// Asks to stop by `deadline`.
    func request(by deadline: ContinuousClock.Instant) {
        self.deadline.withLock { $0 = $0 ?? deadline }
        requested.open()
    }

    /// Time left until the deadline (zero once past it, or before a stop is requested).
    var remaining: Duration {
        guard let deadline = deadline.withLock({ $0 }) else { return .zero }
        return max(.zero, ContinuousClock.now.duration(to: deadline))
    }
}

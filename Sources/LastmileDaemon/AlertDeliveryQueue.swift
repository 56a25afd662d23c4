import Foundation
import LastmileBase
import LastmileCore
import Synchronization

/// What waits to be told to one notifier: at most one notice per alert (a newer one replaces
/// the one before, so a receiver never hears an alert's states out of order), delivered by one
/// task at a time and retried with a capped backoff until it is delivered or replaced. A
/// receiver down for hours therefore still hears every page and every resolution once it is
/// back, and a notice that succeeded is not sent again when another fails.
final class AlertDeliveryQueue: Sendable {
    /// Alerts that can wait at once; beyond it the oldest are dropped, and the log says so.
    static let capacity = 1_000

    private struct State {
        var waiting: [AlertNotice] = []
        var isDelivering = false
        var isAbandoned = false
    }

    let notifier: AlertNotifier
    /// The wait after the first round that left notices undelivered; it doubles up to `maximumBackoff`.
    let firstBackoff: Duration
    let maximumBackoff: Duration
    private let state = Mutex(State())

    init(notifier: AlertNotifier, firstBackoff: Duration = .seconds(2), maximumBackoff: Duration = .seconds(30)) {
        self.notifier = notifier
        self.firstBackoff = firstBackoff
        self.maximumBackoff = maximumBackoff
    }

    /// Notices not yet delivered.
    var waiting: [AlertNotice] { state.withLock { $0.waiting } }

    /// Queues `notices`, each in place of a waiting one of the same alert, and starts delivering
    /// unless a delivery is already under way.
    func enqueue(_ notices: [AlertNotice]) {
        guard !notices.isEmpty else { return }
        let (start, dropped) = state.withLock { state -> (Bool, Int) in
            guard !state.isAbandoned else { return (false, 0) }
            for notice in notices {
                state.waiting.removeAll { AlertIdentity($0.finding) == AlertIdentity(notice.finding) }
                state.waiting.append(notice)
            }
            let dropped = max(0, state.waiting.count - Self.capacity)
            state.waiting.removeFirst(dropped)
            defer { state.isDelivering = true }
            return (!state.isDelivering, dropped)
        }
        if dropped > 0 {
            notifier.logger.error("alert notifications dropped: too many waiting", [("notifier", notifier.configuration.kind.rawValue),
                                                                                     ("dropped", String(dropped))])
        }
        if start, !notifier.work.spawn({ [self] in await deliverAll() }) {
            // Shutting down: nothing more starts.
            state.withLock { $0.isDelivering = false }
        }
    }

    /// Stops trying: the notifier is no longer configured. Returns how many notices were waiting.
    @discardableResult
    func abandon() -> Int {
        state.withLock { state in
            state.isAbandoned = true
            defer { state.waiting = [] }
            return state.waiting.count
        }
    }

    /// Rounds of attempts until nothing waits.
    private func deliverAll() async {
        var backoff = firstBackoff
        var failedRounds = 0
        while true {
            let round = state.withLock { state -> [AlertNotice]? in
                if state.waiting.isEmpty || state.isAbandoned {
                    state.isDelivering = false
                    return nil
                }
                return state.waiting
            }
            guard let round else { return }
            let delivered = await notifier.deliver(round)
            let left = state.withLock { state -> Int in
                // Only what went out leaves the queue: a notice that replaced it meanwhile stays.
                state.waiting.removeAll { delivered.contains($0) }
                return state.waiting.count
            }
            guard left > 0 else {
                backoff = firstBackoff
                failedRounds = 0
                continue
            }
            failedRounds += 1
            if failedRounds == 3 {
                notifier.logger.error("alert notifications not delivered yet; still trying",
                                      [("notifier", notifier.configuration.kind.rawValue), ("waiting", String(left))])
            }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, maximumBackoff)
        }
    }
}

import Foundation
import LastmileBase
import LastmileCore
import LastmileStore
import Synchronization

/// What waits to be told to one notifier: at most one notice per alert (a newer one replaces
/// the one before, so a receiver never hears an alert's states out of order), delivered by one
/// task at a time and retried with a capped backoff (or after the receiver's `Retry-After`)
/// until it is delivered or replaced. A receiver down for hours therefore still hears every
/// page and every resolution once it is back, and a notice that succeeded is not sent again
/// when another fails.
///
/// A notice kept in the store's outbox carries its stamp; once the queue is done with it
/// (delivered, replaced or dropped) the delivering task hands the stamp to `retire`, which takes
/// it out of the outbox. An abandoned queue leaves its notices there, for whoever notifies next.
final class AlertDeliveryQueue: Sendable {
    /// Alerts that can wait at once; beyond it the oldest are dropped, and the log says so.
    static let capacity = 1_000

    /// A notice waiting, and its place in the store's outbox when it has one.
    struct Entry: Sendable, Hashable {
        var notice: AlertNotice
        var stamp: AlertOutboxEntry.Stamp?
    }

    private struct State {
        var notifier: AlertNotifier
        var waiting: [Entry] = []
        /// Stamps of notices replaced or dropped, for the delivering task to retire.
        var retiring: [AlertOutboxEntry.Stamp] = []
        var isDelivering = false
        var isAbandoned = false
    }

    /// The wait after the first round that left notices undelivered; it doubles up to `maximumBackoff`.
    let firstBackoff: Duration
    let maximumBackoff: Duration
    /// The longest a receiver's `Retry-After` holds its notices back.
    let longestRetryAfter: Duration
    /// Two minutes: a page waits no longer for a receiver that asked for more.
    static let longestRetryAfter = Duration.seconds(120)
    private let retire: @Sendable ([AlertOutboxEntry.Stamp]) async -> Void
    private let state: Mutex<State>
    /// Opens when the queue is abandoned, so a delivery waiting out its backoff ends at once.
    private let abandoned = AsyncLatch()

    init(notifier: AlertNotifier, firstBackoff: Duration = .seconds(2), maximumBackoff: Duration = .seconds(30),
         longestRetryAfter: Duration = AlertDeliveryQueue.longestRetryAfter,
         retire: @escaping @Sendable ([AlertOutboxEntry.Stamp]) async -> Void = { _ in }) {
        state = Mutex(State(notifier: notifier))
        self.firstBackoff = firstBackoff
        self.maximumBackoff = maximumBackoff
        self.longestRetryAfter = longestRetryAfter
        self.retire = retire
    }

    /// Where the notices go; `update` changes its settings (a timeout, headers) without losing what waits.
    var notifier: AlertNotifier { state.withLock { $0.notifier } }

    /// Delivers from now on with `notifier`'s settings.
    func update(_ notifier: AlertNotifier) {
        state.withLock { $0.notifier = notifier }
    }

    private var isAbandoned: Bool { state.withLock { $0.isAbandoned } }

    /// Notices not yet delivered.
    var waiting: [AlertNotice] { state.withLock { $0.waiting.map(\.notice) } }

    /// Queues `notices`, kept in memory only.
    func enqueue(_ notices: [AlertNotice]) {
        enqueue(notices.map { Entry(notice: $0, stamp: nil) })
    }

    /// Queues `entries`, each in place of a waiting one of the same alert, and starts delivering
    /// unless a delivery is already under way.
    func enqueue(_ entries: [Entry]) {
        guard !entries.isEmpty else { return }
        let (start, dropped, notifier) = state.withLock { state -> (Bool, Int, AlertNotifier) in
            guard !state.isAbandoned else { return (false, 0, state.notifier) }
            for entry in entries {
                let identity = AlertIdentity(entry.notice.finding)
                state.retiring += state.waiting.filter { AlertIdentity($0.notice.finding) == identity }.compactMap(\.stamp)
                state.waiting.removeAll { AlertIdentity($0.notice.finding) == identity }
                state.waiting.append(entry)
            }
            let dropped = max(0, state.waiting.count - Self.capacity)
            state.retiring += state.waiting.prefix(dropped).compactMap(\.stamp)
            state.waiting.removeFirst(dropped)
            defer { state.isDelivering = true }
            return (!state.isDelivering, dropped, state.notifier)
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

    /// Stops trying; returns how many notices were waiting. Those kept in the outbox stay there,
    /// for whoever notifies next (a new leader, the next start) to deliver or to drop.
    @discardableResult
    func abandon() -> Int {
        defer { abandoned.open() }
        return state.withLock { state in
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
            let round = state.withLock { state -> (entries: [Entry], notifier: AlertNotifier)? in
                if state.waiting.isEmpty || state.isAbandoned {
                    state.isDelivering = false
                    return nil
                }
                return (state.waiting, state.notifier)
            }
            guard let round else { return }
            let delivery = await round.notifier.deliver(round.entries.map(\.notice), while: { [self] in !isAbandoned })
            let delivered = round.entries.filter { delivery.delivered.contains($0.notice) }
            let refused = round.entries.prefix(delivery.tried).filter { !delivered.contains($0) }
            let (left, retiring) = state.withLock { state -> (Int, [AlertOutboxEntry.Stamp]) in
                // Only what went out leaves the queue: a notice that replaced it meanwhile stays.
                state.waiting.removeAll { delivered.contains($0) }
                // What was tried and refused goes behind what was not tried: a notice its receiver
                // keeps refusing (with a Retry-After that ends the round) holds no other back.
                let behind = state.waiting.filter { refused.contains($0) }
                state.waiting.removeAll { refused.contains($0) }
                state.waiting += behind
                defer { state.retiring = [] }
                return (state.waiting.count, state.retiring + delivered.compactMap(\.stamp))
            }
            // An enqueue always leaves a notice waiting, so every stamp it set aside is retired
            // here, at the end of a round, before the task ends.
            if !retiring.isEmpty { await retire(retiring) }
            guard left > 0 else {
                backoff = firstBackoff
                failedRounds = 0
                continue
            }
            failedRounds += 1
            if failedRounds == 3 {
                round.notifier.logger.error("alert notifications not delivered yet; still trying",
                                            [("notifier", round.notifier.configuration.kind.rawValue), ("waiting", String(left))])
            }
            // A receiver that asked to be left alone is, for as long as it asked and at most
            // `longestRetryAfter`: a page waits no longer than that for a receiver that misspoke.
            await abandoned.wait(timeout: max(backoff, min(delivery.retryAfter ?? .zero, longestRetryAfter)))
            backoff = min(backoff * 2, maximumBackoff)
        }
    }
}

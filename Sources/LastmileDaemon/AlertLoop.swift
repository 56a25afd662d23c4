import Foundation
import HTTP
import LastmileBase
import LastmileConfig
import LastmileCore
import LastmileStore
import Synchronization

/// Evaluates the SLOs on a fixed interval, moves the alert book on, and tells the notifiers.
///
/// Alertmanager is sent every firing alert at every evaluation (with an `endsAt` a few
/// intervals ahead, as Prometheus does) so it never times one out; webhooks and commands
/// hear each alert when it fires, again every `repeat_interval`, and when it resolves. Each
/// notifier has an `AlertDeliveryQueue` that keeps trying what it could not deliver, and the
/// notices a notifier must not miss wait in the store's outbox, stored with the alert change
/// they tell, until delivered: a restart or a new leader delivers what the last one could not.
final class AlertLoop: Sendable {
    private let monitor: SLOMonitor
    private let detection: DetectionMonitor?
    private let book: Mutex<AlertBook>
    private let history = Mutex<[AlertNotice]>([])
    private let client = HTTPClient()
    private let logger: Logger
    private let clock: any WallClock
    private let store: CanaryStore
    /// Notifications being delivered (with their retries), so a shutdown can let them finish.
    let notifications = InFlightWork()
    /// What waits for each notifier configured now (one queue per `outboxKey`), in the order they are configured.
    private let queues = Mutex<[(key: String, queue: AlertDeliveryQueue)]>([])
    /// Advanced whenever this instance stops notifying (or starts again from the outbox), so an
    /// evaluation that began before cannot set up queues after it.
    private let notifyingTerm = Mutex(0)
    /// Notices read from the store's outbox, by notifier, until that notifier's queue takes them.
    private let restored = Mutex<[String: [AlertDeliveryQueue.Entry]]>([:])

    /// Takes back the alerts the store says were firing, so a restart neither pages again nor
    /// forgets to resolve.
    init(monitor: SLOMonitor, detection: DetectionMonitor? = nil, store: CanaryStore, logger: Logger, clock: any WallClock, repeatInterval: TimeInterval,
         pendingFor: TimeInterval) {
        self.monitor = monitor
        self.detection = detection
        self.store = store
        self.logger = logger
        self.clock = clock
        var restored: (firing: [FiringAlert], pending: [FiringAlert]) = ([], [])
        do {
            restored = try store.storedAlerts()
        } catch {
            logger.error("alerts not read from the store; firing ones will fire again", [("error", "\(error)")])
        }
        book = Mutex(AlertBook(repeatInterval: repeatInterval, pendingFor: pendingFor, restoring: restored.firing,
                               restoringPending: restored.pending))
        do {
            let outbox = try store.outboxEntries()
            self.restored.withLock { $0 = Self.waiting(in: outbox, logger: logger) }
        } catch {
            logger.error("alert outbox not read from the store; notices not yet delivered will not be", [("error", "\(error)")])
        }
    }

    /// Evaluates with the configuration in force until cancelled, whenever this instance leads.
    func run(context: @Sendable () -> DaemonContext, leading: @Sendable () -> Bool = { true }) async {
        while !Task.isCancelled {
            let configuration = context().configuration
            if leading() { await evaluate(configuration) }
            try? await Task.sleep(for: .seconds(configuration.alerting.evaluationInterval))
        }
    }

    /// Takes back the alerts the store says are firing and pending, as a new leader must: the
    /// last leader's pages are neither sent again nor forgotten.
    func restoreFromStore(_ alerting: AlertingConfiguration) async throws {
        let (restored, outbox) = try await store.reading { store in (try store.storedAlerts(), try store.outboxEntries()) }
        book.withLock {
            $0 = AlertBook(repeatInterval: alerting.repeatInterval, pendingFor: alerting.pendingFor, restoring: restored.firing,
                           restoringPending: restored.pending)
        }
        // What the queues held is in the outbox too, or was never to be kept (Alertmanager's
        // firing alerts, sent again at the next evaluation): they start again from the outbox.
        notifyingTerm.withLock { $0 += 1 }
        let abandoned = queues.withLock { queues in
            defer { queues = [] }
            return queues.map(\.queue)
        }
        for queue in abandoned { queue.abandon() }
        self.restored.withLock { $0 = Self.waiting(in: outbox, logger: logger) }
    }

    /// The notices of `outbox`, by notifier; those this version cannot read are left in the store.
    private static func waiting(in outbox: [AlertOutboxEntry], logger: Logger) -> [String: [AlertDeliveryQueue.Entry]] {
        var waiting: [String: [AlertDeliveryQueue.Entry]] = [:]
        var unreadable = 0
        for entry in outbox {
            guard let notice = AlertNotice.fromOutbox(entry) else {
                unreadable += 1
                continue
            }
            waiting[entry.stamp.notifier, default: []].append(AlertDeliveryQueue.Entry(notice: notice, stamp: entry.stamp))
        }
        if unreadable > 0 { logger.warning("alert notices in the outbox not readable by this version; left there", [("count", String(unreadable))]) }
        return waiting
    }

    /// One evaluation; returns what changed.
    @discardableResult
    func evaluate(_ configuration: LastmileConfiguration) async -> AlertUpdate {
        let now = clock.now
        let term = notifyingTerm.withLock { $0 }
        let alerting = configuration.alerting
        let findings = findings(configuration, at: now)
        let (update, before) = book.withLock { book in
            let before = book
            book.repeatInterval = alerting.repeatInterval
            book.pendingFor = alerting.pendingFor
            return (book.update(with: findings, at: now), before)
        }
        let fired = update.fired.map { notice($0, .firing, configuration) }
        let resolved = update.resolved.map { notice($0, .resolved, configuration, endsAt: $0.lastNotifiedAt) }
        let repeated = update.repeated.map { notice($0, .firing, configuration) }
        let endsAt = now.addingTimeInterval(4 * alerting.evaluationInterval)
        var deliveries: [(key: String, entries: [AlertDeliveryQueue.Entry])] = []
        var outbox: [AlertOutboxEntry] = []
        for notifier in Self.distinct(alerting.notify) {
            let notices: [AlertNotice]
            switch notifier.kind {
            case .alertmanager: notices = update.firing.map { notice($0, .firing, configuration, endsAt: endsAt) } + resolved
            case .webhook, .command: notices = fired + repeated + resolved
            }
            let key = notifier.outboxKey
            let entries = notices.map { notice -> AlertDeliveryQueue.Entry in
                guard notice.isKept(for: notifier.kind), let entry = try? notice.outboxEntry(for: key, at: now) else {
                    return AlertDeliveryQueue.Entry(notice: notice, stamp: nil)
                }
                outbox.append(entry)
                return AlertDeliveryQueue.Entry(notice: notice, stamp: entry.stamp)
            }
            deliveries.append((key, entries))
        }
        if !update.isEmpty {
            do {
                try await store.saveAlerts(firing: update.firing, pending: update.pending, outbox: outbox)
            } catch {
                logger.error("alerts not stored", [("error", "\(error)")])
                // On a shared store the leader that can store them notifies; this one may have been
                // deposed. Its book goes back to what the store holds, so if it still leads, the next
                // evaluation finds the same changes and notifies them then.
                if store.hasInbox {
                    book.withLock { $0 = before }
                    return AlertUpdate()
                }
            }
        }
        // Logged and kept for the status page once they stand (a change given back above comes again).
        for change in fired + resolved {
            let fields = fields(change.finding) + [("summary", change.summary)]
            if change.status == .firing { logger.warning("alert firing", fields) } else { logger.notice("alert resolved", fields) }
        }
        if !(fired + resolved).isEmpty { history.withLock { $0 = Array(($0 + fired + resolved).suffix(Self.historyLimit)) } }
        let queues = await queues(for: alerting.notify, term: term)
        for (key, entries) in deliveries { queues.first { $0.key == key }?.queue.enqueue(entries) }
        return update
    }

    /// `notifiers`, each address once: two notifiers with the same address would hear every
    /// notice twice, and share one place in the outbox.
    private static func distinct(_ notifiers: [NotifierConfiguration]) -> [NotifierConfiguration] {
        var seen = Set<String>()
        return notifiers.filter { seen.insert($0.outboxKey).inserted }
    }

    /// Who delivers what is still waiting once this instance stops notifying.
    enum Successor: String {
        /// The new leader, which holds the alert book now.
        case newLeader = "the new leader"
        /// This daemon's next start.
        case nextStart = "the next start"
    }

    /// Stops delivering, after the attempts under way: `successor` tells the notifiers what waits
    /// in the outbox (Alertmanager's firing alerts, not kept there, go again at its first evaluation).
    func stopNotifying(leaving successor: Successor = .newLeader) {
        notifyingTerm.withLock { $0 += 1 }
        let dropped = queues.withLock { queues -> [AlertDeliveryQueue] in
            defer { queues = [] }
            return queues.map(\.queue)
        }
        let waiting = dropped.reduce(0) { $0 + $1.abandon() }
        if waiting > 0 { logger.warning("alert notifications left to \(successor.rawValue)", [("waiting", String(waiting))]) }
    }

    /// The queue of each notifier in `configured`, a new one taking what the outbox holds for
    /// it; the queues of notifiers no longer configured stop, and their notices leave the outbox.
    private func queues(for configured: [NotifierConfiguration], term: Int) async -> [(key: String, queue: AlertDeliveryQueue)] {
        let notifiers = Self.distinct(configured)
        let keys = Set(notifiers.map(\.outboxKey))
        let made = queues.withLock { queues -> ([(key: String, queue: AlertDeliveryQueue)], [AlertDeliveryQueue])? in
            // This instance stopped notifying while the evaluation ran: it sets up nothing.
            guard notifyingTerm.withLock({ $0 }) == term else { return nil }
            let gone = queues.filter { !keys.contains($0.key) }.map(\.queue)
            queues = notifiers.map { configuration in
                let key = configuration.outboxKey
                let notifier = AlertNotifier(configuration: configuration, client: client, logger: logger, work: notifications)
                if let kept = queues.first(where: { $0.key == key })?.queue {
                    if kept.notifier.configuration != configuration { kept.update(notifier) }
                    return (key, kept)
                }
                return (key, AlertDeliveryQueue(notifier: notifier, retire: { [weak self] stamps in await self?.retire(stamps) }))
            }
            return (queues, gone)
        }
        guard let (current, gone) = made else { return [] }
        let seeds = restored.withLock { restored -> [String: [AlertDeliveryQueue.Entry]] in
            defer { restored = [:] }
            return restored
        }
        for (key, queue) in current { if let entries = seeds[key] { queue.enqueue(entries) } }
        var dropped = gone.reduce(0) { $0 + $1.abandon() }
        dropped += seeds.filter { !keys.contains($0.key) }.reduce(0) { $0 + $1.value.count }
        if !gone.isEmpty || seeds.keys.contains(where: { !keys.contains($0) }) {
            do {
                try await store.removeFromOutbox(notifiersOtherThan: keys)
            } catch {
                logger.warning("alert notices of notifiers no longer configured not taken out of the outbox", [("error", "\(error)")])
            }
        }
        if dropped > 0 { logger.warning("alert notifications dropped: notifier no longer configured", [("dropped", String(dropped))]) }
        return current
    }

    /// Takes delivered, replaced and dropped notices out of the outbox.
    private func retire(_ stamps: [AlertOutboxEntry.Stamp]) async {
        do {
            try await store.removeFromOutbox(stamps)
        } catch {
            logger.warning("delivered alert notices not taken out of the outbox; they may be sent again", [("error", "\(error)")])
        }
    }

    /// The burn-rate findings, and the detectors' pages in place of the burn-rate pages of the
    /// accepted-delivery SLO (its tickets stay).
    private func findings(_ configuration: LastmileConfiguration, at now: Date) -> [AlertFinding] {
        let burnRate = configuration.alertEvaluator.findings(monitor.statuses(at: now))
        guard let detection, let slo = configuration.sloDefinitions.first(where: { $0.indicator == .acceptedDelivery }) else {
            return burnRate
        }
        // Evaluated either way, so its gauges are current for rules that page on them.
        let evaluation = detection.evaluate(at: now)
        guard configuration.alerting.detectors else { return burnRate }
        let firing = book.withLock { Set($0.firing.keys) }
        let detected = evaluation.findings(slo: slo, firing: firing, at: now)
        return burnRate.filter { !($0.name == .acceptedButUndelivered && $0.severity == "page") } + detected
    }

    /// The alerts firing now, sorted.
    var firing: [FiringAlert] { book.withLock { $0.firing.values.sorted { $0.identity < $1.identity } } }

    /// The conditions pending now, sorted.
    var pending: [FiringAlert] { book.withLock { $0.pending.values.sorted { $0.identity < $1.identity } } }

    /// The firing and pending alert families: 1 for each alert in that state.
    func families() -> [MetricFamily] {
        let (firing, pending) = book.withLock { (Array($0.firing.values), Array($0.pending.values)) }
        func series(_ alerts: [FiringAlert]) -> [MetricLabels: Double] {
            var values: [MetricLabels: Double] = [:]
            for alert in alerts {
                values[["alertname": alert.finding.name.rawValue, "severity": alert.finding.severity, "slo": alert.finding.key.slo,
                        "route": alert.finding.key.route, "carrier": alert.finding.key.carrier, "receiver": alert.finding.receiver]] = 1
            }
            return values
        }
        var waiting: [MetricLabels: Double] = [:]
        for (index, (_, queue)) in queues.withLock({ $0 }).enumerated() {
            waiting[["notifier": String(index + 1), "kind": queue.notifier.configuration.kind.rawValue]] = Double(queue.waiting.count)
        }
        return [MetricDefinition.alertsFiring.family(series(firing)), MetricDefinition.alertsPending.family(series(pending)),
                MetricDefinition.alertNotificationsWaiting.family(waiting)]
    }

    private func notice(_ alert: FiringAlert, _ status: AlertNotice.Status, _ configuration: LastmileConfiguration,
                        endsAt: Date? = nil) -> AlertNotice {
        let key = alert.finding.key
        var target = "/api/canaries?verdict=lost&route=\(Self.escape(key.route))&carrier=\(Self.escape(key.carrier))"
        if let base = configuration.server.publicURL?.absoluteString {
            target = (base.hasSuffix("/") ? String(base.dropLast()) : base) + target
        }
        return AlertNotice(status: status, finding: alert.finding, startsAt: alert.startsAt, endsAt: endsAt, link: target)
    }

    private func fields(_ finding: AlertFinding) -> [(String, String)] {
        [("alert", finding.name.rawValue), ("severity", finding.severity), ("slo", finding.key.slo),
         ("route", finding.key.route), ("carrier", finding.key.carrier),
         ("bad", String(finding.badEvents)), ("total", String(finding.totalEvents))]
    }

    /// How many fired and resolved notices `recent` keeps.
    static let historyLimit = 200

    /// Alerts that fired or resolved lately, oldest first.
    var recent: [AlertNotice] { history.withLock { $0 } }

    private static func escape(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+"))) ?? value
    }
}

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
/// notifier has an `AlertDeliveryQueue` that keeps trying what it could not deliver.
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
    /// What waits for each notifier configured now, in the order they are configured.
    private let queues = Mutex<[(NotifierConfiguration, AlertDeliveryQueue)]>([])

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
        let restored = try await store.reading { try $0.storedAlerts() }
        book.withLock {
            $0 = AlertBook(repeatInterval: alerting.repeatInterval, pendingFor: alerting.pendingFor, restoring: restored.firing,
                           restoringPending: restored.pending)
        }
    }

    /// One evaluation; returns what changed.
    @discardableResult
    func evaluate(_ configuration: LastmileConfiguration) async -> AlertUpdate {
        let now = clock.now
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
        if !update.isEmpty {
            do {
                try await store.saveAlerts(firing: update.firing, pending: update.pending)
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
        let repeated = update.repeated.map { notice($0, .firing, configuration) }
        let endsAt = now.addingTimeInterval(4 * alerting.evaluationInterval)
        for (notifier, queue) in queues(for: alerting.notify) {
            switch notifier.kind {
            case .alertmanager:
                queue.enqueue(update.firing.map { notice($0, .firing, configuration, endsAt: endsAt) } + resolved)
            case .webhook, .command:
                queue.enqueue(fired + repeated + resolved)
            }
        }
        return update
    }

    /// Drops every notice waiting to be delivered: this instance no longer leads, and the new
    /// leader, which holds the alert book now, tells the notifiers itself.
    func stopNotifying() {
        let dropped = queues.withLock { queues -> [AlertDeliveryQueue] in
            defer { queues = [] }
            return queues.map(\.1)
        }
        let waiting = dropped.reduce(0) { $0 + $1.abandon() }
        if waiting > 0 { logger.warning("alert notifications left to the new leader", [("dropped", String(waiting))]) }
    }

    /// The queue of each notifier in `configured`; those of notifiers no longer configured stop.
    private func queues(for configured: [NotifierConfiguration]) -> [(NotifierConfiguration, AlertDeliveryQueue)] {
        let (current, gone) = queues.withLock { queues -> ([(NotifierConfiguration, AlertDeliveryQueue)], [AlertDeliveryQueue]) in
            let wanted = Set(configured)
            let gone = queues.filter { !wanted.contains($0.0) }.map(\.1)
            let kept = Dictionary(queues.filter { wanted.contains($0.0) }, uniquingKeysWith: { first, _ in first })
            queues = configured.map { notifier in
                (notifier, kept[notifier] ?? AlertDeliveryQueue(notifier: AlertNotifier(configuration: notifier, client: client, logger: logger,
                                                                                        work: notifications)))
            }
            return (queues, gone)
        }
        for queue in gone {
            let dropped = queue.abandon()
            if dropped > 0 {
                logger.warning("alert notifications dropped: notifier no longer configured",
                               [("notifier", queue.notifier.configuration.kind.rawValue), ("dropped", String(dropped))])
            }
        }
        return current
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
                        "route": alert.finding.key.route, "carrier": alert.finding.key.carrier]] = 1
            }
            return values
        }
        var waiting: [MetricLabels: Double] = [:]
        for (index, (notifier, queue)) in queues.withLock({ $0 }).enumerated() {
            waiting[["notifier": String(index + 1), "kind": notifier.kind.rawValue]] = Double(queue.waiting.count)
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

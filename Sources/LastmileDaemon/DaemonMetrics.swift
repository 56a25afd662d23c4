import Foundation
import LastmileCore
import Synchronization

/// The daemon's counters, gauges and histograms, updated from correlator
/// transitions and rendered for `/metrics`.
public final class DaemonMetrics: Sendable {
    /// The labels one route × carrier pair carries.
    public struct Pair: Hashable, Sendable {
        public var route: String
        public var carrier: String
        public var probe: String

        public init(route: String, carrier: String, probe: String) {
            self.route = route
            self.carrier = carrier
            self.probe = probe
        }
    }

    private struct State {
        var scalars: [MetricDefinition: [MetricLabels: Double]] = [:]
        var histograms: [MetricDefinition: [MetricLabels: Histogram]] = [:]
    }

    static let receiptClaims = ["delivered", "failed", "none"]

    private let state = Mutex(State())
    /// Whether this instance leads (always, alone on a file).
    private let leading = Atomic<Bool>(true)
    private let inboxHeld = Atomic<Int>(0)
    private let deliveryBounds: [Double]
    private let apiBounds: [Double]
    public let version: String

    public init(version: String, deliveryBounds: [Double] = Histogram.deliveryBounds, apiBounds: [Double] = Histogram.apiBounds) {
        self.version = version
        self.deliveryBounds = deliveryBounds
        self.apiBounds = apiBounds
        state.withLock { state in
            for kind in ["receipt", "arrival"] {
                for reason in UnmatchedReason.allCases {
                    state.scalars[.reportsUnmatched, default: [:]][["kind": kind, "reason": reason.rawValue]] = 0
                }
                state.scalars[.reportsDuplicate, default: [:]][["kind": kind]] = 0
            }
        }
    }

    /// Makes every series of these pairs exist, at zero, before anything happens.
    public func seed(_ pairs: [Pair]) {
        state.withLock { state in
            func zero(_ name: MetricDefinition, _ labels: MetricLabels) {
                if state.scalars[name]?[labels] == nil { state.scalars[name, default: [:]][labels] = 0 }
            }
            for pair in pairs {
                let base: MetricLabels = ["route": pair.route, "carrier": pair.carrier]
                zero(.canariesSent, base.adding("probe", pair.probe))
                for result in ["accepted", "rejected", "error"] { zero(.canarySubmissions, base.adding("result", result)) }
                for status in ReceiptStatus.allCases where status.isFinal { zero(.canaryReceipts, base.adding("status", status.rawValue)) }
                for verdict in Verdict.allCases { zero(.canaryVerdicts, base.adding("verdict", verdict.rawValue)) }
                for claim in Self.receiptClaims { zero(.canaryLost, base.adding("receipt", claim)) }
                zero(.canaryFalseReceipts, base)
                for part in ["body", "sender"] { zero(.canaryAltered, base.adding("part", part)) }
                zero(.canaryArrivalsAfterSettlement, base)
                zero(.canariesInFlight, base)
                for reason in SkipReason.allCases { zero(.canariesSkipped, ["route": pair.route, "reason": reason.rawValue]) }
                let histograms: [(MetricDefinition, [Double])] = [(.canaryDeliverySeconds, deliveryBounds), (.canarySubmitSeconds, apiBounds),
                                                              (.canaryReceiptSeconds, deliveryBounds)]
                for (name, bounds) in histograms where state.histograms[name]?[base] == nil {
                    state.histograms[name, default: [:]][base] = Histogram(bounds: bounds)
                }
            }
        }
    }

    /// Counts what a correlator step did; `time` is when it happened.
    public func apply(_ result: CorrelationResult, at time: Date) {
        guard !result.transitions.isEmpty else { return }
        let canaries = Dictionary(result.changed.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
        state.withLock { state in
            for transition in result.transitions {
                guard let canary = canaries[transition.canaryID] else { continue }
                let base: MetricLabels = ["route": canary.plan.route, "carrier": canary.plan.carrier]
                func add(_ name: MetricDefinition, _ labels: MetricLabels, _ amount: Double = 1) {
                    state.scalars[name, default: [:]][labels, default: 0] += amount
                }
                // Each observation names its canary, so a slow bucket leads to /trace/{id}.
                let exemplar = Exemplar(labels: ["canary_id": canary.id], timestamp: time)
                func observe(_ name: MetricDefinition, _ value: TimeInterval, bounds: [Double]) {
                    state.histograms[name, default: [:]][base, default: Histogram(bounds: bounds)].observe(value, exemplar: exemplar)
                }
                switch transition.kind {
                case .started:
                    add(.canariesSent, base.adding("probe", canary.plan.probe))
                    add(.canariesInFlight, base)
                case .answered(let outcome):
                    guard outcome != .unknown else { break }
                    add(.canarySubmissions, base.adding("result", outcome.rawValue))
                    if let ended = canary.submitEndedAt {
                        observe(.canarySubmitSeconds, ended.timeIntervalSince(canary.submitStartedAt), bounds: apiBounds)
                    }
                case .finalReceipt(let status):
                    add(.canaryReceipts, base.adding("status", status.rawValue))
                    observe(.canaryReceiptSeconds, time.timeIntervalSince(canary.submitStartedAt), bounds: deliveryBounds)
                case .factsAdded(let facts):
                    // At the deadline, or from a delivered receipt that comes after it.
                    if facts.contains(.falseReceipt) { add(.canaryFalseReceipts, base) }
                    if facts.contains(.alteredBody) { add(.canaryAltered, base.adding("part", "body")) }
                    if facts.contains(.alteredSender) { add(.canaryAltered, base.adding("part", "sender")) }
                    if facts.contains(.arrivedAfterSettlement) { add(.canaryArrivalsAfterSettlement, base) }
                case .settled(let verdict):
                    add(.canaryVerdicts, base.adding("verdict", verdict.rawValue))
                    add(.canariesInFlight, base, -1)
                    if verdict == .lost {
                        let claim = canary.facts.contains(.falseReceipt) ? "delivered" : canary.facts.contains(.honestFailure) ? "failed" : "none"
                        add(.canaryLost, base.adding("receipt", claim))
                    }
                    if verdict.arrived, let latency = canary.arrival?.latency {
                        observe(.canaryDeliverySeconds, latency, bounds: deliveryBounds)
                    }
                }
            }
        }
    }

    /// Drops the in-flight series of route × carrier pairs no longer configured (after a
    /// reload), once nothing of theirs is in flight, so dashboards stop listing removed routes.
    /// Counters stay: a counter that vanishes and comes back would read as a reset.
    public func forgetGauges(keeping pairs: [Pair]) {
        let kept = Set(pairs.map { [$0.route, $0.carrier] })
        state.withLock { state in
            state.scalars[.canariesInFlight] = state.scalars[.canariesInFlight]?.filter { labels, value in
                value != 0 || kept.contains([labels["route"] ?? "", labels["carrier"] ?? ""])
            }
        }
    }

    /// Canaries taken back after a restart (or a takeover) that are still in flight; what was
    /// counted in flight before is forgotten.
    public func restoredInFlight(_ canaries: [Canary]) {
        state.withLock { state in
            if var inFlight = state.scalars[.canariesInFlight] {
                for key in inFlight.keys { inFlight[key] = 0 }
                state.scalars[.canariesInFlight] = inFlight
            }
            for canary in canaries where canary.verdict == nil {
                state.scalars[.canariesInFlight, default: [:]][["route": canary.plan.route, "carrier": canary.plan.carrier], default: 0] += 1
            }
        }
    }

    public func countSkipped(route: String, reason: SkipReason) {
        add(.canariesSkipped, ["route": route, "reason": reason.rawValue])
    }

    public func countWebhook(hook: String, status: Int) {
        add(.webhookRequests, ["hook": hook, "code": String(status)])
    }

    public func countReport(kind: String, match: ReportMatch?) {
        switch match {
        case .unmatched(let reason, _)?: add(.reportsUnmatched, ["kind": kind, "reason": reason.rawValue])
        case .duplicate?: add(.reportsDuplicate, ["kind": kind])
        default: break
        }
    }

    /// Records whether this instance leads now, for `lastmile_leader`.
    public func setLeading(_ isLeading: Bool) {
        leading.store(isLeading, ordering: .relaxed)
    }

    /// Records how many inbox entries the leader has set aside, for `lastmile_inbox_held_entries`.
    public func setInboxHeld(_ count: Int) {
        inboxHeld.store(count, ordering: .relaxed)
    }

    public func recordReload(successful: Bool, at time: Date) {
        state.withLock { state in
            state.scalars[.configLastReloadSuccessful] = [[:]: successful ? 1 : 0]
            if successful { state.scalars[.configLastReloadSuccessTimestamp] = [[:]: time.timeIntervalSince1970] }
        }
    }

    private func add(_ name: MetricDefinition, _ labels: MetricLabels, _ amount: Double = 1) {
        state.withLock { $0.scalars[name, default: [:]][labels, default: 0] += amount }
    }

    /// The value of one series, for tests and the status page.
    public func value(_ name: MetricDefinition, _ labels: MetricLabels) -> Double? {
        state.withLock { $0.scalars[name]?[labels] }
    }

    /// Everything, ready to render.
    public func families() -> [MetricFamily] {
        let snapshot = state.withLock { $0 }
        var families: [MetricFamily] = []
        for (metric, values) in snapshot.scalars { families.append(metric.family(values)) }
        for (metric, histograms) in snapshot.histograms { families.append(metric.family(histograms: histograms)) }
        families.append(MetricDefinition.buildInfo.family([["version": version]: 1]))
        families.append(MetricDefinition.leader.family([[:]: leading.load(ordering: .relaxed) ? 1 : 0]))
        families.append(MetricDefinition.inboxHeld.family([[:]: Double(inboxHeld.load(ordering: .relaxed))]))
        return families + ProcessMetrics.families()
    }

    /// The Prometheus text of every metric.
    public func render() -> String { PrometheusText.render(families()) }

    /// The Prometheus text of every metric, as the bytes `/metrics` serves.
    public func renderBytes() -> [UInt8] { PrometheusText.renderBytes(families()) }
}

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
        var scalars: [String: [MetricLabels: Double]] = [:]
        var histograms: [String: [MetricLabels: Histogram]] = [:]
    }

    static let receiptClaims = ["delivered", "failed", "none"]
    static let skipReasons = ["daily_cap", "concurrency", "no_adapter"]

    private let state = Mutex(State())
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
                    state.scalars["lastmile_reports_unmatched_total", default: [:]][["kind": kind, "reason": reason.rawValue]] = 0
                }
                state.scalars["lastmile_reports_duplicate_total", default: [:]][["kind": kind]] = 0
            }
        }
    }

    /// Makes every series of these pairs exist, at zero, before anything happens.
    public func seed(_ pairs: [Pair]) {
        state.withLock { state in
            func zero(_ name: String, _ labels: MetricLabels) {
                if state.scalars[name]?[labels] == nil { state.scalars[name, default: [:]][labels] = 0 }
            }
            for pair in pairs {
                let base: MetricLabels = ["route": pair.route, "carrier": pair.carrier]
                zero("lastmile_canaries_sent_total", base.adding("probe", pair.probe))
                for result in ["accepted", "rejected", "error"] { zero("lastmile_canary_submissions_total", base.adding("result", result)) }
                for status in ReceiptStatus.allCases where status.isFinal { zero("lastmile_canary_receipts_total", base.adding("status", status.rawValue)) }
                for verdict in Verdict.allCases { zero("lastmile_canary_verdicts_total", base.adding("verdict", verdict.rawValue)) }
                for claim in Self.receiptClaims { zero("lastmile_canary_lost_total", base.adding("receipt", claim)) }
                for part in ["body", "sender"] { zero("lastmile_canary_altered_total", base.adding("part", part)) }
                zero("lastmile_canary_arrivals_after_settlement_total", base)
                zero("lastmile_canaries_in_flight", base)
                for reason in Self.skipReasons { zero("lastmile_canaries_skipped_total", ["route": pair.route, "reason": reason]) }
                for (name, bounds) in [("lastmile_canary_delivery_seconds", deliveryBounds), ("lastmile_canary_submit_seconds", apiBounds),
                                       ("lastmile_canary_receipt_seconds", deliveryBounds)] where state.histograms[name]?[base] == nil {
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
                func add(_ name: String, _ labels: MetricLabels, _ amount: Double = 1) {
                    state.scalars[name, default: [:]][labels, default: 0] += amount
                }
                func observe(_ name: String, _ value: TimeInterval, bounds: [Double]) {
                    state.histograms[name, default: [:]][base, default: Histogram(bounds: bounds)].observe(value)
                }
                switch transition.kind {
                case .started:
                    add("lastmile_canaries_sent_total", base.adding("probe", canary.plan.probe))
                    add("lastmile_canaries_in_flight", base)
                case .answered(let outcome):
                    guard outcome != .unknown else { break }
                    add("lastmile_canary_submissions_total", base.adding("result", outcome.rawValue))
                    if let ended = canary.submitEndedAt {
                        observe("lastmile_canary_submit_seconds", ended.timeIntervalSince(canary.submitStartedAt), bounds: apiBounds)
                    }
                case .finalReceipt(let status):
                    add("lastmile_canary_receipts_total", base.adding("status", status.rawValue))
                    observe("lastmile_canary_receipt_seconds", time.timeIntervalSince(canary.submitStartedAt), bounds: deliveryBounds)
                case .factsAdded(let facts):
                    if facts.contains(.alteredBody) { add("lastmile_canary_altered_total", base.adding("part", "body")) }
                    if facts.contains(.alteredSender) { add("lastmile_canary_altered_total", base.adding("part", "sender")) }
                    if facts.contains(.arrivedAfterSettlement) { add("lastmile_canary_arrivals_after_settlement_total", base) }
                case .settled(let verdict):
                    add("lastmile_canary_verdicts_total", base.adding("verdict", verdict.rawValue))
                    add("lastmile_canaries_in_flight", base, -1)
                    if verdict == .lost {
                        let claim = canary.facts.contains(.falseReceipt) ? "delivered" : canary.facts.contains(.honestFailure) ? "failed" : "none"
                        add("lastmile_canary_lost_total", base.adding("receipt", claim))
                    }
                    if verdict.arrived, let latency = canary.arrival?.latency {
                        observe("lastmile_canary_delivery_seconds", latency, bounds: deliveryBounds)
                    }
                }
            }
        }
    }

    /// Canaries taken back after a restart that are still in flight.
    public func restoredInFlight(_ canaries: [Canary]) {
        state.withLock { state in
            for canary in canaries where canary.verdict == nil {
                state.scalars["lastmile_canaries_in_flight", default: [:]][["route": canary.plan.route, "carrier": canary.plan.carrier], default: 0] += 1
            }
        }
    }

    public func countSkipped(route: String, reason: String) {
        add("lastmile_canaries_skipped_total", ["route": route, "reason": reason])
    }

    public func countWebhook(hook: String, status: Int) {
        add("lastmile_webhook_requests_total", ["hook": hook, "code": String(status)])
    }

    public func countReport(kind: String, match: ReportMatch?) {
        switch match {
        case .unmatched(let reason, _)?: add("lastmile_reports_unmatched_total", ["kind": kind, "reason": reason.rawValue])
        case .duplicate?: add("lastmile_reports_duplicate_total", ["kind": kind])
        default: break
        }
    }

    public func recordReload(successful: Bool, at time: Date) {
        state.withLock { state in
            state.scalars["lastmile_config_last_reload_successful"] = [[:]: successful ? 1 : 0]
            if successful { state.scalars["lastmile_config_last_reload_success_timestamp_seconds"] = [[:]: time.timeIntervalSince1970] }
        }
    }

    private func add(_ name: String, _ labels: MetricLabels, _ amount: Double = 1) {
        state.withLock { $0.scalars[name, default: [:]][labels, default: 0] += amount }
    }

    /// The value of one series, for tests and the status page.
    public func value(_ name: String, _ labels: MetricLabels) -> Double? {
        state.withLock { $0.scalars[name]?[labels] }
    }

    /// Everything, ready to render.
    public func families() -> [MetricFamily] {
        let snapshot = state.withLock { $0 }
        var families: [MetricFamily] = []
        for (name, values) in snapshot.scalars {
            let (help, kind) = Self.description(of: name)
            families.append(MetricFamily(name: name, help: help, kind: kind, values: values))
        }
        for (name, histograms) in snapshot.histograms {
            families.append(MetricFamily(name: name, help: Self.description(of: name).help, histograms: histograms))
        }
        families.append(MetricFamily(name: "lastmile_build_info", help: "Lastmile's version; always 1.", kind: .gauge,
                                     values: [["version": version]: 1]))
        return families + ProcessMetrics.families()
    }

    /// The Prometheus text of every metric.
    public func render() -> String { PrometheusText.render(families()) }

    static func description(of name: String) -> (help: String, kind: MetricFamily.Kind) {
        switch name {
        case "lastmile_canaries_sent_total": return ("Canaries handed to a provider.", .counter)
        case "lastmile_canary_submissions_total": return ("What the provider's API answered to sends.", .counter)
        case "lastmile_canary_receipts_total": return ("Canaries by their first final delivery receipt.", .counter)
        case "lastmile_canary_verdicts_total": return ("Settled canaries by verdict.", .counter)
        case "lastmile_canary_lost_total": return ("Lost canaries by what their receipt had claimed.", .counter)
        case "lastmile_canary_altered_total": return ("Arrived canaries whose body or sender was changed on the way.", .counter)
        case "lastmile_canary_arrivals_after_settlement_total": return ("Arrivals that came after their canary was settled.", .counter)
        case "lastmile_canaries_in_flight": return ("Canaries sent and not yet settled.", .gauge)
        case "lastmile_canaries_skipped_total": return ("Scheduled canaries not sent, by reason.", .counter)
        case "lastmile_reports_unmatched_total": return ("Inbound reports that matched no canary, by reason.", .counter)
        case "lastmile_reports_duplicate_total": return ("Inbound reports that repeated one already seen.", .counter)
        case "lastmile_webhook_requests_total": return ("Webhook requests by hook kind and answer code.", .counter)
        case "lastmile_config_last_reload_successful": return ("Whether the last configuration load succeeded.", .gauge)
        case "lastmile_config_last_reload_success_timestamp_seconds": return ("When the configuration last loaded successfully.", .gauge)
        case "lastmile_canary_delivery_seconds": return ("Seconds from submit start to arrival.", .histogram)
        case "lastmile_canary_submit_seconds": return ("Seconds the provider's API took to answer a send.", .histogram)
        case "lastmile_canary_receipt_seconds": return ("Seconds from submit start to the first final receipt.", .histogram)
        default: return ("", .untyped)
        }
    }
}

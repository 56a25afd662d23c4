extension MetricDefinition {
    private static let pair = ["route", "carrier"]
    private static let slo = ["slo", "route", "carrier"]
    /// An alert's identity: `receiver` tells apart two `ReceiverSilent` alerts on one carrier (empty for others).
    private static let alert = ["alertname", "severity", "slo", "route", "carrier", "receiver"]

    // Canaries, per route × carrier.
    public static let canariesSent = MetricDefinition("lastmile_canaries_sent_total", .counter, labels: pair + ["probe"],
                                                      help: "Canaries handed to a provider.")
    public static let canarySubmissions = MetricDefinition("lastmile_canary_submissions_total", .counter, labels: pair + ["result"],
                                                           help: "What the provider's API answered to sends.")
    public static let canaryReceipts = MetricDefinition("lastmile_canary_receipts_total", .counter, labels: pair + ["status"],
                                                        help: "Canaries by their first final delivery receipt.")
    public static let canaryVerdicts = MetricDefinition("lastmile_canary_verdicts_total", .counter, labels: pair + ["verdict"],
                                                        help: "Settled canaries by verdict.")
    public static let canaryLost = MetricDefinition("lastmile_canary_lost_total", .counter, labels: pair + ["receipt"],
                                                    help: "Lost canaries by what their receipt had claimed at their deadline.")
    public static let canaryFalseReceipts = MetricDefinition(
        "lastmile_canary_false_receipts_total", .counter, labels: pair,
        help: "Lost canaries whose receipt said delivered, counted once both are known: at the deadline, or when the receipt comes after it.")
    public static let canaryAltered = MetricDefinition("lastmile_canary_altered_total", .counter, labels: pair + ["part"],
                                                       help: "Arrived canaries whose body or sender was changed on the way.")
    public static let canaryArrivalsAfterSettlement = MetricDefinition(
        "lastmile_canary_arrivals_after_settlement_total", .counter, labels: pair,
        help: "Arrivals that came after their canary was settled.")
    public static let canariesInFlight = MetricDefinition("lastmile_canaries_in_flight", .gauge, labels: pair,
                                                          help: "Canaries sent and not yet settled.")
    public static let canariesSkipped = MetricDefinition("lastmile_canaries_skipped_total", .counter, labels: ["route", "reason"],
                                                         help: "Scheduled canaries not sent, by reason.")
    public static let canaryDeliverySeconds = MetricDefinition("lastmile_canary_delivery_seconds", .histogram, labels: pair,
                                                               help: "Seconds from submit start to arrival.")
    public static let canarySubmitSeconds = MetricDefinition("lastmile_canary_submit_seconds", .histogram, labels: pair,
                                                             help: "Seconds the provider's API took to answer a send.")
    public static let canaryReceiptSeconds = MetricDefinition("lastmile_canary_receipt_seconds", .histogram, labels: pair,
                                                              help: "Seconds from submit start to the first final receipt.")

    // Inbound reports and hooks.
    public static let reportsUnmatched = MetricDefinition("lastmile_reports_unmatched_total", .counter, labels: ["kind", "reason"],
                                                          help: "Inbound reports that matched no canary, by reason.")
    public static let reportsDuplicate = MetricDefinition("lastmile_reports_duplicate_total", .counter, labels: ["kind"],
                                                          help: "Inbound reports that repeated one already seen.")
    public static let webhookRequests = MetricDefinition("lastmile_webhook_requests_total", .counter, labels: ["hook", "code"],
                                                         help: "Webhook requests by hook kind and answer code.")

    // The HTTP listeners.
    public static let httpConnections = MetricDefinition("lastmile_http_connections", .gauge, labels: ["listener"],
                                                         help: "Connections open now on each listener (`main`, `admin`).")
    public static let httpConnectionsRefused = MetricDefinition(
        "lastmile_http_connections_refused_total", .counter, labels: ["listener", "reason"],
        help: "Connections answered 503 and closed at once: the listener was full (`full`) or their peer had its share (`peer`).")
    public static let httpConnectionsTimedOut = MetricDefinition(
        "lastmile_http_connections_timed_out_total", .counter, labels: ["listener", "phase"],
        help: "Connections closed by a time limit: sending nothing (`silent`), too slow with a request's `head` or `body`, or not reading its answer (`write`).")
    public static let httpLargeAnswersRefused = MetricDefinition(
        "lastmile_http_large_answers_refused_total", .counter, labels: ["listener"],
        help: "Large answers (such as /metrics) replaced by 503 because others were still waiting to be read.")
    public static let httpLargeRequestsRefused = MetricDefinition(
        "lastmile_http_large_requests_refused_total", .counter, labels: ["listener"],
        help: "Requests over 16 KiB refused with 503 because others held the room set aside for large requests.")

    // The process.
    public static let configLastReloadSuccessful = MetricDefinition(
        "lastmile_config_last_reload_successful", .gauge, help: "Whether the last configuration load succeeded.")
    public static let configLastReloadSuccessTimestamp = MetricDefinition(
        "lastmile_config_last_reload_success_timestamp_seconds", .gauge, help: "When the configuration last loaded successfully.")
    public static let buildInfo = MetricDefinition("lastmile_build_info", .gauge, labels: ["version"],
                                                   help: "Lastmile's version; always 1.")
    public static let leader = MetricDefinition(
        "lastmile_leader", .gauge,
        help: "1 on the instance that leads (sends, settles, alerts; always, alone on a SQLite file), 0 on the others sharing its store.")
    public static let inboxHeld = MetricDefinition(
        "lastmile_inbox_held_entries", .gauge,
        help: "Reports other instances took in that the leader could not read (another version's, or damaged): kept, not joined, tried again at the next takeover.")

    // SLOs and alerts.
    public static let sloObjective = MetricDefinition("lastmile_slo_objective_ratio", .gauge, labels: slo,
                                                      help: "The objective of each SLO.")
    public static let sloEvents = MetricDefinition("lastmile_slo_events", .gauge, labels: slo + ["window", "kind"],
                                                   help: "Good and total events of each SLO over rolling windows.")
    public static let sloErrorBudgetRemaining = MetricDefinition(
        "lastmile_slo_error_budget_remaining_ratio", .gauge, labels: slo,
        help: "Share of the error budget left over the SLO window; NaN with no data.")
    public static let sloBurnRate = MetricDefinition("lastmile_slo_burn_rate", .gauge, labels: slo + ["window"],
                                                     help: "Error budget burn rate over each window; NaN with no data.")
    public static let alertsFiring = MetricDefinition("lastmile_alerts_firing", .gauge, labels: alert,
                                                      help: "Alerts firing now, one series each.")
    public static let alertsPending = MetricDefinition("lastmile_alerts_pending", .gauge, labels: alert,
                                                       help: "Alert conditions met but not yet for [alerting] pending_for.")
    public static let alertNotificationsWaiting = MetricDefinition(
        "lastmile_alert_notifications_waiting", .gauge, labels: ["notifier", "kind"],
        help: "Alert notices a notifier (its place in [[alerting.notify]], from 1, each address counted once) has not delivered yet and keeps retrying; above 0 for long, the way to the pager is broken.")
    public static let detectorStatistic = MetricDefinition(
        "lastmile_detector_statistic", .gauge, labels: ["route", "carrier", "jump"],
        help: "Evidence (nats) of each sequential test of accepted delivery that loss jumped to `jump`; pages at the threshold.")
    public static let detectorThreshold = MetricDefinition(
        "lastmile_detector_threshold", .gauge, labels: ["route", "carrier", "jump"],
        help: "Where each sequential test pages, from [alerting] false_pages_per_year and the pair's healthy loss rate.")
    public static let detectorHeldBack = MetricDefinition(
        "lastmile_detector_held_back", .gauge, labels: ["route", "carrier"],
        help: "1 while a route × carrier's page is explained by a silent receiver or a carrier's loss, or waits to be told apart.")
    public static let receiverSilent = MetricDefinition(
        "lastmile_receiver_silent", .gauge, labels: ["receiver", "carrier"],
        help: "1 for a receiver every route fails to reach while those routes reach others.")
    public static let carrierLoss = MetricDefinition(
        "lastmile_carrier_loss", .gauge, labels: ["carrier"],
        help: "1 for a carrier whose every receiver is silent while its routes reach other carriers.")

    /// Every family Lastmile exports, besides the standard `process_*` ones, in the README's order.
    public static let catalogue: [MetricDefinition] = [
        .canariesSent, .canarySubmissions, .canaryReceipts, .canaryVerdicts, .canaryLost, .canaryFalseReceipts, .canaryAltered,
        .canaryArrivalsAfterSettlement, .canariesInFlight, .canariesSkipped, .canaryDeliverySeconds, .canarySubmitSeconds,
        .canaryReceiptSeconds, .reportsUnmatched, .reportsDuplicate, .webhookRequests, .httpConnections, .httpConnectionsRefused,
        .httpConnectionsTimedOut, .httpLargeAnswersRefused, .httpLargeRequestsRefused, .configLastReloadSuccessful,
        .configLastReloadSuccessTimestamp, .buildInfo, .leader, .inboxHeld, .sloObjective, .sloEvents, .sloErrorBudgetRemaining, .sloBurnRate,
        .alertsFiring, .alertsPending, .alertNotificationsWaiting, .detectorStatistic, .detectorThreshold, .detectorHeldBack, .receiverSilent, .carrierLoss,
    ]

    /// The gauges only the leader exports, since only it sends, joins reports, settles and
    /// alerts. Counters and histograms come from every instance: only the leader counts, so the
    /// others show zeros or the totals of when they last led, and `sum(increase())` is right. A
    /// new leader's counts have been exported (at zero) before it takes over, so what it counts
    /// in its first moments, the backlog of a failover, is an increase and not a first sample.
    public static let leaderOnly: Set<String> = Set([
        canariesInFlight, sloObjective, sloEvents, sloErrorBudgetRemaining, sloBurnRate, alertsFiring, alertsPending,
        alertNotificationsWaiting, detectorStatistic, detectorThreshold, detectorHeldBack, receiverSilent, carrierLoss, inboxHeld,
    ].map(\.name))

    /// The README's table of `catalogue`: name, type, labels, help.
    public static var catalogueTable: String {
        var lines = ["| metric | type | labels | meaning |", "| --- | --- | --- | --- |"]
        for metric in catalogue {
            let labels = metric.labels.isEmpty ? "" : metric.labels.map { "`\($0)`" }.joined(separator: ", ")
            lines.append("| `\(metric.name)` | \(metric.kind.rawValue) | \(labels) | \(metric.help) |")
        }
        return lines.joined(separator: "\n")
    }
}

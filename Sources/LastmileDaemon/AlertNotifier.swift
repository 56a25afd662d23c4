import Foundation
import HTTP
import LastmileBase
import LastmileConfig
import LastmileCore
import LastmileProviders

/// One alert as notifiers tell it.
public struct AlertNotice: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Codable { case firing, resolved }

    public var status: Status
    public var finding: AlertFinding
    public var startsAt: Date
    public var endsAt: Date?
    /// Where to see the recent lost canaries.
    public var link: String

    public var summary: String {
        if let detection = finding.detection { return detectedSummary(detection) }
        let rate = String(format: "%.1f%%", finding.observedRate * 100)
        let allowed = String(format: "%.1f%%", finding.allowedRate * 100)
        let window = CompactDuration.text(finding.tier.long)
        return "\(finding.key.route) × \(finding.key.carrier): \(rate) \(finding.name.observedPhrase) in the last \(window) "
            + "(\(finding.badEvents) of \(finding.totalEvents)); the objective allows \(allowed)"
    }
}

/// Tells alerts to Alertmanager (v2 API), a JSON webhook, or a command. `AlertDeliveryQueue`
/// calls it and retries what it could not deliver, in the background, so a notifier that is
/// down never holds up probing.
struct AlertNotifier: Sendable {
    let configuration: NotifierConfiguration
    let client: HTTPClient
    let logger: Logger
    /// Where the delivery is counted while it runs.
    let work: InFlightWork
    /// How often a failed delivery is logged.
    var failures = AlertNotifier.failureLog

    /// What one round of delivery did.
    struct Delivery: Sendable {
        /// The notices delivered.
        var delivered: [AlertNotice]
        /// How many of the notices, from the first, were tried.
        var tried: Int
        /// How long the receiver asked to be left alone (`Retry-After` on a 429 or a 503).
        var retryAfter: Duration?
    }

    /// Tries each of `notices` once; says which were delivered. Alertmanager takes them in one
    /// post, all or none; a webhook or a command takes them one at a time, as long as
    /// `continuing` says (an instance that stops leading or stops sends no more of them), and
    /// a webhook that asks to be left alone for a while gets no more of them in this round.
    func deliver(_ notices: [AlertNotice], while continuing: () -> Bool = { true }) async -> Delivery {
        switch configuration.kind {
        case .alertmanager:
            guard let base = configuration.url else { return Delivery(delivered: notices, tried: notices.count) }
            let body = notices.map(Self.alertmanager)
            let url = URL(string: base.absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + "/api/v2/alerts")!
            let posted = await post(url, body)
            return Delivery(delivered: posted.delivered ? notices : [], tried: notices.count, retryAfter: posted.retryAfter)
        case .webhook:
            guard let url = configuration.url else { return Delivery(delivered: notices, tried: notices.count) }
            var delivery = Delivery(delivered: [], tried: 0)
            for notice in notices {
                guard continuing() else { break }
                let posted = await post(url, Self.webhook(notice))
                delivery.tried += 1
                if posted.delivered { delivery.delivered.append(notice) }
                if let wait = posted.retryAfter {
                    delivery.retryAfter = wait
                    break
                }
            }
            return delivery
        case .command:
            var delivery = Delivery(delivered: [], tried: 0)
            for notice in notices {
                guard continuing() else { break }
                delivery.tried += 1
                if await run(notice) { delivery.delivered.append(notice) }
            }
            return delivery
        }
    }

    static func labels(_ notice: AlertNotice) -> [String: String] {
        var labels = ["alertname": notice.finding.name.rawValue, "severity": notice.finding.severity, "slo": notice.finding.key.slo,
                      "carrier": notice.finding.key.carrier, "service": "lastmile"]
        if !notice.finding.key.route.isEmpty { labels["route"] = notice.finding.key.route }
        if !notice.finding.receiver.isEmpty { labels["receiver"] = notice.finding.receiver }
        return labels
    }

    static func alertmanager(_ notice: AlertNotice) -> [String: Any] {
        var alert: [String: Any] = [
            "labels": labels(notice),
            "annotations": ["summary": notice.summary, "lost_canaries": notice.link,
                            "description": "Burn rate \(String(format: "%.1f", notice.finding.observedRate / notice.finding.allowedRate))× over "
                                + "\(CompactDuration.text(notice.finding.tier.long)) and \(CompactDuration.text(notice.finding.tier.short))"],
            "startsAt": Timestamps.format(notice.startsAt),
            "generatorURL": notice.link,
        ]
        if let ends = notice.endsAt { alert["endsAt"] = Timestamps.format(ends) }
        return alert
    }

    static func webhook(_ notice: AlertNotice) -> [String: Any] {
        ["status": notice.status.rawValue, "alert": notice.finding.name.rawValue, "severity": notice.finding.severity,
         "slo": notice.finding.key.slo, "route": notice.finding.key.route, "carrier": notice.finding.key.carrier,
         "summary": notice.summary, "rate": notice.finding.observedRate, "allowed_rate": notice.finding.allowedRate,
         "window": CompactDuration.text(notice.finding.tier.long), "link": notice.link,
         "starts_at": Timestamps.format(notice.startsAt), "receiver": notice.finding.receiver]
    }

    private func post(_ url: URL, _ object: Any) async -> (delivered: Bool, retryAfter: Duration?) {
        guard let body = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return (true, nil) }
        var headers = [("Content-Type", "application/json")]
        // `https://user:password@host/…` (an Alertmanager behind basic auth): the URL's credentials go as the header.
        if let user = url.user(percentEncoded: false) {
            let password = url.password(percentEncoded: false) ?? ""
            headers.append(("Authorization", "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()))
        }
        let request = HTTPClient.Request(method: "POST", url: url, headers: headers, body: body,
                                         timeout: configuration.timeout, isIdempotent: true)
        let failure: String
        var retryAfter: Duration?
        do {
            let response = try await client.send(request)
            if (200..<300).contains(response.status) { return (true, nil) }
            failure = "HTTP \(response.status)"
            if response.status == 429 || response.status == 503 {
                retryAfter = response.header("Retry-After").flatMap { RetryAfter.delay($0, now: Date()) }
            }
        } catch {
            failure = "\(error)"
        }
        // The host only: a notifier's URL may carry a secret in its path or query.
        logger.warning("alert notification not delivered", throttledBy: failures,
                       [("notifier", configuration.kind.rawValue), ("host", url.host ?? ""), ("reason", failure)]
                        + (retryAfter.map { [("retry_after", CompactDuration.text(min($0, AlertDeliveryQueue.longestRetryAfter).timeInterval))] } ?? []))
        return (false, retryAfter)
    }

    /// Failed deliveries are logged with their reason, a few every few minutes: a notifier that
    /// is down is retried every 30 s, for as long as it is down.
    static let failureLog = LogThrottle(limit: 5, per: .seconds(300))

    private func run(_ notice: AlertNotice) async -> Bool {
        let variables = [
            "LASTMILE_ALERT_STATUS": notice.status.rawValue, "LASTMILE_ALERT_NAME": notice.finding.name.rawValue,
            "LASTMILE_ALERT_SEVERITY": notice.finding.severity, "LASTMILE_ALERT_SLO": notice.finding.key.slo,
            "LASTMILE_ALERT_ROUTE": notice.finding.key.route, "LASTMILE_ALERT_CARRIER": notice.finding.key.carrier,
            "LASTMILE_ALERT_RECEIVER": notice.finding.receiver, "LASTMILE_ALERT_SUMMARY": notice.summary, "LASTMILE_ALERT_LINK": notice.link,
        ]
        let outcome = await CommandRunner.run(configuration.command,
                                              environment: CommandRunner.environment(passing: configuration.environment, extra: variables),
                                              timeout: configuration.timeout)
        switch outcome {
        case .exited(0):
            return true
        case .exited(let status):
            logger.warning("alert command failed", [("command", configuration.command.first ?? ""), ("status", String(status))])
        case .timedOut:
            logger.warning("alert command timed out and was killed", [("command", configuration.command.first ?? ""),
                                                                     ("timeout", CompactDuration.text(configuration.timeout))])
        case .couldNotStart(let reason):
            logger.warning("alert command could not start", [("command", configuration.command.first ?? ""), ("reason", reason)])
        }
        return false
    }
}

import Foundation

/// The daemon's status page: one self-contained XHTML-compatible document (no external assets)
/// with the alerts firing, a route × carrier table with rates, latency, SLO state and an inline
/// SVG sparkline of the delivery rate, and the latest lost canaries linking to their traces.
public struct StatusPage: Sendable {
    public var now: Date
    public var from: Date
    public var canaries: [Canary]
    public var slos: [SLOStatus]
    public var firing: [FiringAlert]
    /// Conditions met but not yet for long enough to fire.
    public var pending: [FiringAlert] = []
    /// Points in each sparkline.
    public var buckets = 24

    public init(now: Date, from: Date, canaries: [Canary], slos: [SLOStatus], firing: [FiringAlert]) {
        self.now = now
        self.from = from
        self.canaries = canaries
        self.slos = slos
        self.firing = firing
    }

    public func render() -> String {
        let summaries = CanarySummaries.summarize(canaries)
        var html = """
            <!DOCTYPE html>
            <html lang="en" xmlns="http://www.w3.org/1999/xhtml"><head><meta charset="utf-8" /><title>Lastmile status</title>
            <meta name="viewport" content="width=device-width, initial-scale=1" />
            <style>
            body{font-family:system-ui,sans-serif;margin:1.5em;color:#1d1d1f}
            h1{margin:0 0 .2em}h2{margin:1.4em 0 .4em;font-size:1.1em}
            table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.35em .7em;text-align:right}td{white-space:nowrap}
            td.name,th.name{text-align:left}th{font-weight:600;background:#f4f4f6}
            .bad{color:#b3261e;font-weight:600}.ok{color:#1b6e3a}.none{color:#888}
            .alert{border-left:4px solid #b3261e;background:#fdecea;padding:.5em .8em;margin:.4em 0}
            .alert.ticket{border-color:#c77700;background:#fff4e0}.alert.pending{border-color:#888;background:#f2f2f2}
            svg.spark polyline{fill:none;stroke:#3867d6;stroke-width:1.5}svg.spark line{stroke:#b3261e;stroke-width:.5;stroke-dasharray:2 2}
            a{color:#3867d6}code{font-size:.95em}
            </style></head><body>
            <h1>Lastmile status</h1>
            <p>\(Self.escape(Self.time(from))) to \(Self.escape(Self.time(now))) · <a href="/metrics">metrics</a> · \
            <a href="/api/canaries">recent canaries (JSON)</a> · <a href="/?hours=24">24 h</a> · <a href="/?hours=168">7 d</a></p>

            """
        html += "<h2>Alerts firing</h2>\n"
        if firing.isEmpty {
            html += "<p class=\"ok\">None\(pending.isEmpty ? "" : " firing").</p>\n"
        } else {
            for alert in firing {
                let finding = alert.finding
                let rate = Self.percent(finding.observedRate)
                html += "<div class=\"alert \(Self.escape(finding.severity))\"><strong>\(Self.escape(finding.severity)): "
                    + "\(Self.escape(finding.name.rawValue))</strong> on \(Self.escape(finding.key.route)) × \(Self.escape(finding.key.carrier)): "
                    + "\(rate) bad (\(finding.badEvents) of \(finding.totalEvents)) over \(CompactDuration.text(finding.tier.long)); "
                    + "the \(Self.escape(finding.key.slo)) objective allows \(Self.percent(finding.allowedRate)). Since \(Self.escape(Self.time(alert.startsAt))). "
                    + (finding.name.concernsLostCanaries ? "<a href=\"#lost\">lost canaries</a>" : "")
                    + "</div>\n"
            }
        }
        for alert in pending {
            let finding = alert.finding
            html += "<div class=\"alert pending\"><strong>pending \(Self.escape(finding.severity)): \(Self.escape(finding.name.rawValue))</strong> on "
                + "\(Self.escape(finding.key.route)) × \(Self.escape(finding.key.carrier)): \(Self.percent(finding.observedRate)) bad "
                + "(\(finding.badEvents) of \(finding.totalEvents)) over \(CompactDuration.text(finding.tier.long)), met since "
                + "\(Self.escape(Self.time(alert.startsAt)))</div>\n"
        }
        html += """
            <h2>Routes</h2>
            <table><thead><tr><th class="name">route</th><th class="name">carrier</th><th>sent</th><th>delivery</th>\
            <th>accepted, never arrived</th><th>false receipts</th><th>p50</th><th>p95</th><th>SLOs (budget left)</th>\
            <th class="name">delivery over time</th></tr></thead><tbody>

            """
        for summary in summaries {
            let undelivered = summary.acceptedUndeliveredRate
            html += "<tr><td class=\"name\">\(Self.escape(summary.route))</td><td class=\"name\">\(Self.escape(summary.carrier))</td>"
                + "<td>\(summary.sent)</td>"
                + "<td>\(Self.rate(summary.deliveryRate, bad: (summary.deliveryRate ?? 1) < 0.95))</td>"
                + "<td>\(Self.rate(undelivered, bad: (undelivered ?? 0) > 0.01))</td>"
                + "<td>\(Self.rate(summary.falseReceiptRate, bad: (summary.falseReceiptRate ?? 0) > 0))</td>"
                + "<td>\(Self.seconds(summary.latency(quantile: 0.5)))</td><td>\(Self.seconds(summary.latency(quantile: 0.95)))</td>"
                + "<td>\(sloCell(route: summary.route, carrier: summary.carrier))</td>"
                + "<td class=\"name\">\(sparkline(route: summary.route, carrier: summary.carrier))</td></tr>\n"
        }
        if summaries.isEmpty { html += "<tr><td class=\"name none\" colspan=\"10\">No canaries in this period.</td></tr>\n" }
        html += "</tbody></table>\n<h2 id=\"lost\">Latest lost canaries</h2>\n"
        let lost = canaries.filter { $0.verdict == .lost }.sorted { $0.submitStartedAt > $1.submitStartedAt }.prefix(20)
        if lost.isEmpty {
            html += "<p class=\"ok\">None in this period.</p>\n"
        } else {
            html += "<table><thead><tr><th class=\"name\">sent</th><th class=\"name\">route</th><th class=\"name\">carrier</th>"
                + "<th class=\"name\">receipt said</th><th class=\"name\">trace</th></tr></thead><tbody>\n"
            for canary in lost {
                let token = Self.escape(canary.plan.token.description)
                html += "<tr><td class=\"name\">\(Self.escape(Self.time(canary.submitStartedAt)))</td>"
                    + "<td class=\"name\">\(Self.escape(canary.plan.route))</td><td class=\"name\">\(Self.escape(canary.plan.carrier))</td>"
                    + "<td class=\"name\">\(Self.escape(canary.receiptStatus?.rawValue ?? "no receipt"))</td>"
                    + "<td class=\"name\"><a href=\"/trace/\(token)\"><code>\(token)</code></a></td></tr>\n"
            }
            html += "</tbody></table>\n"
        }
        return html + "</body></html>\n"
    }

    /// Each SLO's budget left for a pair, red when spent.
    func sloCell(route: String, carrier: String) -> String {
        let mine = slos.filter { $0.key.route == route && $0.key.carrier == carrier }
        guard !mine.isEmpty else { return "<span class=\"none\">-</span>" }
        return mine.map { status in
            guard let budget = status.budgetRemaining else { return "\(Self.escape(status.key.slo)) <span class=\"none\">no data</span>" }
            guard budget > 0 else { return "\(Self.escape(status.key.slo)) <span class=\"bad\">exhausted</span>" }
            return "\(Self.escape(status.key.slo)) <span class=\"ok\">\(Self.percent(budget))</span>"
        }.joined(separator: "<br />")
    }

    /// Delivery rate per time bucket as an inline SVG polyline; buckets where nothing settled are
    /// skipped (the line joins its neighbours), since sparse probes leave many empty.
    func sparkline(route: String, carrier: String) -> String {
        let width = 120.0, height = 24.0
        // From the first canary when it came after the period's start, so a young daemon's line has shape.
        let first = canaries.lazy.map(\.submitStartedAt).min().map { max($0, from) } ?? from
        let span = max(now.timeIntervalSince(first), 1)
        var settled = [Int](repeating: 0, count: buckets), delivered = [Int](repeating: 0, count: buckets)
        for canary in canaries where canary.plan.route == route && canary.plan.carrier == carrier {
            guard let verdict = canary.verdict else { continue }
            let index = min(buckets - 1, max(0, Int(canary.submitStartedAt.timeIntervalSince(first) / span * Double(buckets))))
            settled[index] += 1
            if verdict == .delivered { delivered[index] += 1 }
        }
        var segments: [[String]] = [[]]
        for index in 0..<buckets {
            guard settled[index] > 0 else { continue }
            let x = Double(index) / Double(max(buckets - 1, 1)) * width
            let y = height - 2 - Double(delivered[index]) / Double(settled[index]) * (height - 4)
            segments[segments.count - 1].append(String(format: "%.1f,%.1f", x, y))
        }
        let lines = segments.filter { !$0.isEmpty }.map { points -> String in
            guard points.count > 1 else {
                let xy = points[0].split(separator: ",")
                return "<circle cx=\"\(xy[0])\" cy=\"\(xy[1])\" r=\"1.5\" fill=\"#3867d6\" />"
            }
            return "<polyline points=\"\(points.joined(separator: " "))\" />"
        }.joined()
        let label = "delivery rate of \(route) × \(carrier) over the period"
        return "<svg class=\"spark\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
            + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(Self.escape(label))\">"
            + "<line x1=\"0\" y1=\"\(String(format: "%.1f", 2.0))\" x2=\"\(Int(width))\" y2=\"2.0\" />\(lines)</svg>"
    }

    static func rate(_ value: Double?, bad: Bool) -> String {
        guard let value else { return "<span class=\"none\">no data</span>" }
        return "<span class=\"\(bad ? "bad" : "ok")\">\(percent(value))</span>"
    }

    static func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }

    static func seconds(_ value: Double?) -> String {
        guard let value else { return "-" }
        return value < 10 ? String(format: "%.2f s", value) : String(format: "%.0f s", value)
    }

    static func time(_ date: Date) -> String { date.formatted(Date.ISO8601FormatStyle()) }

    public static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

import Foundation

extension PeriodSummary {
    /// One self-contained file fit for e-mail: the table, the notes, and inline SVG charts of the
    /// daily delivery rate per route × carrier and of each pair's latency distribution.
    func html() -> String {
        let escape = StatusPage.escape
        var output = """
            <!DOCTYPE html>
            <html lang="en" xmlns="http://www.w3.org/1999/xhtml"><head><meta charset="utf-8" /><title>\(escape(title))</title>
            <style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}
            table{font-size:.85em}td,th{border:1px solid #ccc;padding:.3em .5em;text-align:right}td:nth-child(-n+2),th{text-align:left}
            .bad{background:#fde2e1}svg text{font-size:10px;fill:#444}</style></head><body>
            <h1>\(escape(title))</h1><p>\(escape(periodText))</p>
            <table><thead><tr>\(Self.columns.map { "<th>\(escape($0))</th>" }.joined())</tr></thead><tbody>

            """
        for (summary, row) in zip(summaries, rows()) {
            let bad = (summary.acceptedUndeliveredRate ?? 0) > 0.01 || summary.falseReceipts > 0
            output += "<tr\(bad ? " class=\"bad\"" : "")>" + row.map { "<td>\(escape($0))</td>" }.joined() + "</tr>\n"
        }
        output += "</tbody></table>\n"
        if summaries.isEmpty { output += "<p>(no canaries in this period)</p>\n" }
        let notes = self.notes(markdown: false)
        if !notes.isEmpty {
            output += "<ul>" + notes.split(separator: "\n").map { "<li>\(escape(String($0.dropFirst(4))))</li>" }.joined() + "</ul>\n"
        }
        if !compliance.isEmpty {
            output += "<h2>SLO compliance</h2>\n<table><thead><tr><th>SLO</th><th>route</th><th>carrier</th><th>ratio</th><th>objective</th>"
                + "<th>budget left</th><th>events</th><th>state</th></tr></thead><tbody>\n"
            for result in compliance {
                let cells = [result.key.slo, result.key.route, result.key.carrier, result.ratio.map(Self.percentage) ?? "no data",
                             Self.percentage(result.objective), result.budgetRemaining.map(Self.percentage) ?? "-", "\(result.counts.total)",
                             result.isBreached ? "BREACHED" : "met"]
                output += "<tr\(result.isBreached ? " class=\"bad\"" : "")>" + cells.map { "<td>\(escape($0))</td>" }.joined() + "</tr>\n"
            }
            output += "</tbody></table>\n"
        }
        output += unmatchedHTML()
        if daily.count > 1 { output += "<h2>Delivery rate by day</h2>\n" + dailyChart() }
        let withLatency = summaries.filter { !$0.latencies.isEmpty }
        if !withLatency.isEmpty {
            output += "<h2>Latency distribution</h2>\n"
            for summary in withLatency { output += latencyChart(summary) }
        }
        return output + "</body></html>\n"
    }

    static let palette = ["#3867d6", "#b3261e", "#1b6e3a", "#c77700", "#8e44ad", "#16a085", "#2c3e50", "#d35400"]

    /// One line per route × carrier: the share delivered on time each day.
    func dailyChart() -> String {
        let width = 640.0, height = 200.0, left = 40.0, bottom = 20.0
        let pairs = Array(Set(daily.flatMap { $0.summaries.map { "\($0.route) × \($0.carrier)" } })).sorted()
        let step = (width - left - 10) / Double(max(daily.count - 1, 1))
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height) + 16 * pairs.count)\" "
            + "role=\"img\" aria-label=\"daily delivery rate per route and carrier\">"
        for tick in [0.0, 0.5, 1.0] {
            let y = (height - bottom) * (1 - tick) + 5
            svg += String(format: "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#ddd\" />", left, y, width - 10, y)
            svg += String(format: "<text x=\"2\" y=\"%.1f\">%.0f%%</text>", y + 3, tick * 100)
        }
        for (index, day) in daily.enumerated() where index == 0 || index == daily.count - 1 || daily.count <= 8 {
            let label = day.day.formatted(Date.ISO8601FormatStyle().year().month().day())
            let anchor = index == 0 ? "start" : index == daily.count - 1 ? "end" : "middle"
            svg += String(format: "<text x=\"%.1f\" y=\"%.0f\" ", left + Double(index) * step, height) + "text-anchor=\"\(anchor)\">" + label + "</text>"
        }
        for (number, pair) in pairs.enumerated() {
            let colour = Self.palette[number % Self.palette.count]
            let points = daily.enumerated().compactMap { index, day -> String? in
                guard let summary = day.summaries.first(where: { "\($0.route) × \($0.carrier)" == pair }), let rate = summary.deliveryRate else {
                    return nil
                }
                return String(format: "%.1f,%.1f", left + Double(index) * step, (height - bottom) * (1 - rate) + 5)
            }
            if points.count > 1 {
                svg += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.5\" points=\"\(points.joined(separator: " "))\" />"
            }
            for point in points {
                let xy = point.split(separator: ",")
                svg += "<circle cx=\"\(xy[0])\" cy=\"\(xy[1])\" r=\"2.5\" fill=\"\(colour)\" />"
            }
            svg += String(format: "<rect x=\"%.0f\" y=\"%.0f\" width=\"10\" height=\"10\" ", left, height + 6 + Double(number) * 16)
                + "fill=\"\(colour)\" />"
            svg += String(format: "<text x=\"%.0f\" y=\"%.0f\">", left + 14, height + 15 + Double(number) * 16) + StatusPage.escape(pair) + "</text>"
        }
        return svg + "</svg>\n"
    }

    static let latencyBuckets: [(label: String, upper: Double)] = [
        ("<0.5s", 0.5), ("0.5–1s", 1), ("1–2s", 2), ("2–5s", 5), ("5–10s", 10), ("10–30s", 30), ("30–60s", 60), ("1–5m", 300), (">5m", .infinity),
    ]

    /// A bar per latency bucket: how many arrivals took that long.
    func latencyChart(_ summary: RouteCarrierSummary) -> String {
        var counts = [Int](repeating: 0, count: Self.latencyBuckets.count)
        for latency in summary.latencies {
            counts[Self.latencyBuckets.firstIndex { latency < $0.upper } ?? counts.count - 1] += 1
        }
        let width = 360.0, height = 90.0, bar = width / Double(counts.count)
        let top = Double(counts.max() ?? 1)
        let name = "\(summary.route) × \(summary.carrier)"
        var svg = "<figure><figcaption>\(StatusPage.escape(name)): \(summary.latencies.count) arrivals</figcaption>"
            + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height) + 14)\" role=\"img\" "
            + "aria-label=\"latency distribution of \(StatusPage.escape(name))\">"
        for (index, count) in counts.enumerated() {
            let h = top > 0 ? Double(count) / top * (height - 12) : 0
            svg += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#3867d6\"><title>%d</title></rect>",
                          Double(index) * bar + 2, height - h, bar - 4, h, count)
            svg += String(format: "<text x=\"%.1f\" y=\"%.0f\">", Double(index) * bar + 2, height + 12) + StatusPage.escape(Self.latencyBuckets[index].label) + "</text>"
        }
        return svg + "</svg></figure>\n"
    }
}

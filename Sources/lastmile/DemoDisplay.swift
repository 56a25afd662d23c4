import Foundation
import LastmileConfig
import LastmileCore
import LastmileDaemon

/// What the demo shows: a live table of what the API said, what the receipts said
/// and what arrived, per route × carrier; then the report and the alerts.
final class DemoDisplay {
    let interactive: Bool
    /// Lines the live view drew last time, to move back over them.
    private var drawnLines = 0

    init(interactive: Bool) {
        self.interactive = interactive
    }

    func banner(configuration: LastmileConfiguration, base: String, duration: Double, seed: UInt64, silences: [String: TimeInterval]) {
        let silent = silences.filter { name, _ in configuration.receivers.contains { $0.name == name } }.sorted { $0.key < $1.key }
            .map { name, after in "  \(name)  stops reporting \(ConfigDuration.format(after)) in: every route to it looks lost, but the phone is to blame\n" }
            .joined()
        Output.write("""
            Lastmile demo: \(configuration.routes.count) routes, \(configuration.receivers.count) phones, simulated network (seed \(seed)).
              healthy  the API accepts, receipts are honest, messages arrive in about a second
              lying    the API says success and receipts say DELIVRD, but the carrier silently drops some
              queued   messages wait in a queue: many arrive after the threshold, some never by the deadline
            \(silent)
            metrics:      \(base)/metrics
            status page:  \(base)/
            canaries:     \(base)/api/canaries
            running for \(ConfigDuration.format(duration)); Ctrl-C ends it early and still prints the report.

            """)
    }

    static let header = ["route", "carrier", "sent", "API ok/rej/err", "receipt delivered/failed", "arrived on time/late",
                         "lost (receipt said delivered)", "p50"]

    func rows(_ summaries: [RouteCarrierSummary]) -> [[String]] {
        summaries.map { summary in
            [summary.route, summary.carrier, String(summary.sent),
             "\(summary.accepted)/\(summary.rejected)/\(summary.apiErrors)",
             "\(summary.receiptDelivered)/\(summary.receiptFailed)",
             "\(summary.verdicts[.delivered] ?? 0)/\(summary.verdicts[.late] ?? 0)",
             "\(summary.lost) (\(summary.falseReceipts))",
             summary.latency(quantile: 0.5).map { String(format: "%.1fs", $0) } ?? "-"]
        }
    }

    func table(_ summaries: [RouteCarrierSummary]) -> String {
        TextTable.lines([Self.header] + rows(summaries)).joined(separator: "\n")
    }

    /// Redraws the table in place: back up over the last drawing, clear, draw again.
    func live(_ summaries: [RouteCarrierSummary], elapsed: Double, duration: Double) {
        let text = String(format: "%3.0fs of %.0fs", elapsed, duration) + "\n\n" + table(summaries) + "\n"
        let up = drawnLines > 0 ? "\u{1B}[\(drawnLines)A\r" : ""
        FileHandle.standardOutput.write(Data((up + "\u{1B}[J" + text).utf8))
        drawnLines = text.filter { $0 == "\n" }.count
    }

    func plain(_ summaries: [RouteCarrierSummary], elapsed: Double) {
        Output.write(String(format: "[%.0fs]", elapsed))
        for row in rows(summaries) {
            Output.write(zip(Self.header, row).map { "\($0)=\($1)" }.joined(separator: " "))
        }
    }

    func finish(summaries: [RouteCarrierSummary], from: Date, to: Date, alerts: [AlertNotice]) {
        if interactive && drawnLines > 0 { FileHandle.standardOutput.write(Data("\u{1B}[\(drawnLines)A\r\u{1B}[J".utf8)) }
        Output.write("\nWhat the API said, what the receipts said, and what arrived:\n\n" + table(summaries) + "\n")
        Output.write(PeriodSummary(title: "Lastmile demo report", from: from, to: to, summaries: summaries).render(.text))
        if alerts.isEmpty {
            Output.write("Alerts raised: none (no route × carrier had enough evidence of breaking its objectives).")
        } else {
            Output.write("Alerts raised by the daemon:")
            for alert in alerts {
                let at = String(format: "%4.0fs", (alert.status == .firing ? alert.startsAt : alert.endsAt ?? to).timeIntervalSince(from))
                Output.write("  [\(at)] \(alert.status.rawValue) \(alert.finding.severity) \(alert.finding.name.rawValue): \(alert.summary)")
            }
        }
    }
}

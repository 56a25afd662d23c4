import Foundation

extension PeriodSummary {
    static let unmatchedColumns = ["kind", "source", "reason", "reports"]

    func unmatchedRows() -> [[String]] {
        unmatched.map { [$0.kind.rawValue, $0.source, $0.reason.words, String($0.count)] }
    }

    /// The reports that joined no canary, as a plain or Markdown section; empty when there were none.
    func unmatchedSection(markdown: Bool) -> String {
        guard !unmatched.isEmpty else { return "" }
        let total = unmatched.reduce(0) { $0 + $1.count }
        let heading = "Unmatched reports: \(total) joined no canary (all kept in the store)"
        if markdown {
            var lines = ["", "## \(heading)", "", "| " + Self.unmatchedColumns.joined(separator: " | ") + " |", "|---|---|---|---|"]
            lines += unmatchedRows().map { "| " + $0.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |" }
            return lines.joined(separator: "\n") + "\n"
        }
        let lines = ["", heading + ":"] + TextTable.lines(unmatchedRows(), indent: "  ")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The same section as an HTML table; empty when there were none.
    func unmatchedHTML() -> String {
        guard !unmatched.isEmpty else { return "" }
        let escape = StatusPage.escape
        let total = unmatched.reduce(0) { $0 + $1.count }
        var output = "<h2>Unmatched reports</h2>\n<p>\(total) reports joined no canary; all are kept in the store.</p>\n<table><thead><tr>"
            + Self.unmatchedColumns.map { "<th>\(escape($0))</th>" }.joined() + "</tr></thead><tbody>\n"
        for row in unmatchedRows() {
            output += "<tr>" + row.map { "<td>\(escape($0))</td>" }.joined() + "</tr>\n"
        }
        return output + "</tbody></table>\n"
    }

    /// The same counts for the JSON report.
    func unmatchedJSON() -> [[String: Any]] {
        unmatched.map { ["kind": $0.kind.rawValue, "source": $0.source, "reason": $0.reason.rawValue, "count": $0.count] }
    }
}

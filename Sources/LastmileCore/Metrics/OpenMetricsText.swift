import Foundation

/// Renders metric families in OpenMetrics 1.0 text, for scrapers that ask for it: the same
/// families and series as `PrometheusText`, plus each histogram bucket's exemplar.
public enum OpenMetricsText {
    public static let contentType = "application/openmetrics-text; version=1.0.0; charset=utf-8"

    /// Whether an `Accept` header asks for OpenMetrics.
    public static func isAccepted(by accept: String?) -> Bool {
        guard let accept else { return false }
        return accept.split(separator: ",").contains { range in
            let parts = range.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.first?.lowercased() == "application/openmetrics-text" else { return false }
            let quality = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return quality > 0
        }
    }

    public static func render(_ families: [MetricFamily]) -> String {
        var output = ""
        output.reserveCapacity(families.count * 4096)
        for family in families.sorted(by: { $0.name < $1.name }) {
            // A counter's family is named without `_total`; its samples carry it.
            let isCounter = family.kind == .counter
            let name = isCounter && family.name.hasSuffix("_total") ? String(family.name.dropLast(6)) : family.name
            let type = family.kind == .untyped ? "unknown" : family.kind.rawValue
            output += "# TYPE \(name) \(type)\n# HELP \(name) \(escapeHelp(family.help))\n"
            switch family.values {
            case .scalars(let values):
                let sample = isCounter ? name + "_total" : name
                for (labels, value) in values.map({ (PrometheusText.format($0.key), $0.value) }).sorted(by: { $0.0 < $1.0 }) {
                    output += sample + labels + " " + PrometheusText.format(value) + "\n"
                }
            case .histograms(let histograms):
                for (labels, histogram) in histograms.map({ (PrometheusText.format($0.key), $0.value) }).sorted(by: { $0.0 < $1.0 }) {
                    let open = labels.isEmpty ? "{" : String(labels.dropLast()) + ","
                    let cumulative = histogram.cumulativeCounts
                    let bounds = histogram.bounds.map(PrometheusText.format) + ["+Inf"]
                    for index in bounds.indices {
                        output += name + "_bucket" + open + "le=\"" + bounds[index] + "\"} " + String(cumulative[index])
                        if let exemplar = histogram.exemplars[index] { output += " " + format(exemplar) }
                        output += "\n"
                    }
                    output += name + "_sum" + labels + " " + PrometheusText.format(histogram.sum) + "\n"
                    output += name + "_count" + labels + " " + String(histogram.count) + "\n"
                }
            }
        }
        return output + "# EOF\n"
    }

    /// ` # {labels} value timestamp`, as OpenMetrics writes an exemplar after its sample.
    static func format(_ exemplar: Exemplar) -> String {
        let labels = PrometheusText.format(exemplar.labels)
        let stamp = String(format: "%.3f", exemplar.timestamp.timeIntervalSince1970)
        return "# " + (labels.isEmpty ? "{}" : labels) + " " + PrometheusText.format(exemplar.value) + " " + stamp
    }

    static func escapeHelp(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
            .replacingOccurrences(of: "\"", with: "\\\"")
    }
}

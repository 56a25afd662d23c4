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
        String(decoding: renderBytes(families), as: UTF8.self)
    }

    /// The exposition as the bytes a response carries.
    public static func renderBytes(_ families: [MetricFamily]) -> [UInt8] {
        var output = MetricTextWriter(capacity: MetricTextWriter.estimatedSize(families))
        for family in families.sorted(by: { $0.name < $1.name }) {
            // A counter's family is named without `_total`; its samples carry it.
            let isCounter = family.kind == .counter
            let name = isCounter && family.name.hasSuffix("_total") ? String(family.name.dropLast(6)) : family.name
            let type = family.kind == .untyped ? "unknown" : family.kind.rawValue
            output.write("# TYPE \(name) \(type)\n# HELP \(name) \(escapeHelp(family.help))\n")
            switch family.values {
            case .scalars(let values):
                let sample = Array((isCounter ? name + "_total" : name).utf8)
                let sorted = MetricTextWriter.sorted(values)
                for series in sorted.series { output.writeSample(sample, sorted.labels(series.labels), series.value) }
            case .histograms(let histograms):
                let bucket = Array((name + "_bucket").utf8), sum = Array((name + "_sum").utf8), count = Array((name + "_count").utf8)
                let sorted = MetricTextWriter.sorted(histograms)
                var buckets = MetricTextWriter.BucketLabels()
                for series in sorted.series {
                    let histogram = series.value
                    let open = sorted.opened(series.labels)
                    let bounds = buckets.texts(for: histogram.bounds)
                    for (index, cumulative) in histogram.cumulativeCounts.enumerated() {
                        output.write(bucket)
                        output.write(open)
                        output.write(bounds[index])
                        output.write(cumulative)
                        if let exemplar = histogram.exemplars[index] { output.write(" " + format(exemplar)) }
                        output.write(byte: UInt8(ascii: "\n"))
                    }
                    output.writeSample(sum, sorted.labels(series.labels), histogram.sum)
                    output.writeSample(count, sorted.labels(series.labels), histogram.count)
                }
            }
        }
        output.write("# EOF\n")
        return output.bytes
    }

    /// ` # {labels} value timestamp`, as OpenMetrics writes an exemplar after its sample.
    static func format(_ exemplar: Exemplar) -> String {
        let labels = PrometheusText.format(exemplar.labels)
        // Seconds to the millisecond, as `%.3f` would print them, without the cost of `String(format:)`.
        let milliseconds = Int64((exemplar.timestamp.timeIntervalSince1970 * 1_000).rounded())
        let fraction = String(abs(milliseconds % 1_000))
        let stamp = (milliseconds < 0 ? "-" : "") + String(abs(milliseconds / 1_000)) + "." + String(repeating: "0", count: 3 - fraction.count) + fraction
        return "# " + (labels.isEmpty ? "{}" : labels) + " " + PrometheusText.format(exemplar.value) + " " + stamp
    }

    static func escapeHelp(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
            .replacingOccurrences(of: "\"", with: "\\\"")
    }
}

import Foundation

/// Renders metric families in the Prometheus text exposition format 0.0.4:
/// families sorted by name, series sorted by labels, label values escaped.
public enum PrometheusText {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public static func render(_ families: [MetricFamily]) -> String {
        String(decoding: renderBytes(families), as: UTF8.self)
    }

    /// The exposition as the bytes a response carries.
    public static func renderBytes(_ families: [MetricFamily]) -> [UInt8] {
        var output = MetricTextWriter(capacity: MetricTextWriter.estimatedSize(families))
        for family in families.sorted(by: { $0.name < $1.name }) {
            output.write("# HELP \(family.name) \(escapeHelp(family.help))\n# TYPE \(family.name) \(family.kind.rawValue)\n")
            let name = Array(family.name.utf8)
            switch family.values {
            case .scalars(let values):
                let sorted = MetricTextWriter.sorted(values)
                for series in sorted.series { output.writeSample(name, sorted.labels(series.labels), series.value) }
            case .histograms(let histograms):
                let bucket = Array((family.name + "_bucket").utf8), sum = Array((family.name + "_sum").utf8)
                let count = Array((family.name + "_count").utf8)
                var buckets = MetricTextWriter.BucketLabels()
                let sorted = MetricTextWriter.sorted(histograms)
                for series in sorted.series {
                    let histogram = series.value
                    let bounds = buckets.texts(for: histogram.bounds)
                    // `le` goes last: `{a="1",le="0.5"}`, or `{le="0.5"}` without other labels.
                    let open = sorted.opened(series.labels)
                    for (index, cumulative) in histogram.cumulativeCounts.enumerated() {
                        output.write(bucket)
                        output.write(open)
                        output.write(bounds[index])
                        output.write(cumulative)
                        output.write(byte: UInt8(ascii: "\n"))
                    }
                    output.writeSample(sum, sorted.labels(series.labels), histogram.sum)
                    output.writeSample(count, sorted.labels(series.labels), histogram.count)
                }
            }
        }
        return output.bytes
    }

    static func format(_ labels: MetricLabels) -> String {
        guard !labels.pairs.isEmpty else { return "" }
        return "{" + labels.pairs.map { "\($0.name)=\"\(escapeLabel($0.value))\"" }.joined(separator: ",") + "}"
    }

    /// Integers without a fraction; `+Inf`, `-Inf` and `NaN` as Prometheus spells them.
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    static func escapeLabel(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == 0x0A }) else { return value }
        // By scalar, not by Character: "\r\n" is one Character, and it holds a newline.
        var output = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": output.append(contentsOf: "\\\\".unicodeScalars)
            case "\"": output.append(contentsOf: "\\\"".unicodeScalars)
            case "\n": output.append(contentsOf: "\\n".unicodeScalars)
            default: output.append(scalar)
            }
        }
        return String(output)
    }

    static func escapeHelp(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }
}

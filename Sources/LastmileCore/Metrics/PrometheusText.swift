import Foundation

/// Renders metric families in the Prometheus text exposition format 0.0.4:
/// families sorted by name, series sorted by labels, label values escaped.
public enum PrometheusText {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public static func render(_ families: [MetricFamily]) -> String {
        var output = ""
        output.reserveCapacity(families.count * 4096)
        for family in families.sorted(by: { $0.name < $1.name }) {
            output += "# HELP \(family.name) \(escapeHelp(family.help))\n# TYPE \(family.name) \(family.kind.rawValue)\n"
            switch family.values {
            case .scalars(let values):
                // Each series' label text is built once and is also its sort key.
                for (labels, value) in values.map({ (format($0.key), $0.value) }).sorted(by: { $0.0 < $1.0 }) {
                    output += family.name
                    output += labels
                    output += " "
                    output += format(value)
                    output += "\n"
                }
            case .histograms(let histograms):
                let bucket = family.name + "_bucket"
                var boundTexts: (bounds: [Double], texts: [String]) = ([], [])
                for (labels, histogram) in histograms.map({ (format($0.key), $0.value) }).sorted(by: { $0.0 < $1.0 }) {
                    if boundTexts.bounds != histogram.bounds {
                        boundTexts = (histogram.bounds, histogram.bounds.map { "le=\"" + format($0) + "\"} " })
                    }
                    // `le` goes last: `{a="1",le="0.5"}`, or `{le="0.5"}` without other labels.
                    let open = labels.isEmpty ? "{" : String(labels.dropLast()) + ","
                    let cumulative = histogram.cumulativeCounts
                    for index in histogram.bounds.indices {
                        output += bucket
                        output += open
                        output += boundTexts.texts[index]
                        output += String(cumulative[index])
                        output += "\n"
                    }
                    output += bucket + open + "le=\"+Inf\"} " + String(histogram.count) + "\n"
                    output += family.name + "_sum" + labels + " " + format(histogram.sum) + "\n"
                    output += family.name + "_count" + labels + " " + String(histogram.count) + "\n"
                }
            }
        }
        return output
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
        var output = ""
        for character in value {
            switch character {
            case "\\": output += "\\\\"
            case "\"": output += "\\\""
            case "\n": output += "\\n"
            default: output.append(character)
            }
        }
        return output
    }

    static func escapeHelp(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }
}

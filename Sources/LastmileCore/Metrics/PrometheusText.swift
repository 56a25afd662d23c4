import Foundation

/// Renders metric families in the Prometheus text exposition format 0.0.4:
/// families sorted by name, series sorted by labels, label values escaped.
public enum PrometheusText {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public static func render(_ families: [MetricFamily]) -> String {
        var output = ""
        output.reserveCapacity(families.count * 256)
        for family in families.sorted(by: { $0.name < $1.name }) {
            output += "# HELP \(family.name) \(escapeHelp(family.help))\n"
            output += "# TYPE \(family.name) \(family.kind.rawValue)\n"
            switch family.values {
            case .scalars(let values):
                for (labels, value) in values.sorted(by: { $0.key < $1.key }) {
                    output += family.name + format(labels) + " " + format(value) + "\n"
                }
            case .histograms(let histograms):
                for (labels, histogram) in histograms.sorted(by: { $0.key < $1.key }) {
                    let cumulative = histogram.cumulativeCounts
                    for (index, bound) in histogram.bounds.enumerated() {
                        output += family.name + "_bucket" + format(labels.adding("le", format(bound))) + " \(cumulative[index])\n"
                    }
                    output += family.name + "_bucket" + format(labels.adding("le", "+Inf")) + " \(histogram.count)\n"
                    output += family.name + "_sum" + format(labels) + " " + format(histogram.sum) + "\n"
                    output += family.name + "_count" + format(labels) + " \(histogram.count)\n"
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

/// A set of label names and values, kept sorted by name so equal sets compare equal.
public struct MetricLabels: Hashable, Sendable, Comparable, ExpressibleByDictionaryLiteral {
    public private(set) var pairs: [(name: String, value: String)]

    public init(_ pairs: [(String, String)]) {
        self.pairs = pairs.map { (name: $0.0, value: $0.1) }.sorted { $0.name < $1.name }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    public static func == (lhs: MetricLabels, rhs: MetricLabels) -> Bool {
        lhs.pairs.elementsEqual(rhs.pairs) { $0.name == $1.name && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for pair in pairs {
            hasher.combine(pair.name)
            hasher.combine(pair.value)
        }
    }

    public static func < (lhs: MetricLabels, rhs: MetricLabels) -> Bool {
        for (left, right) in zip(lhs.pairs, rhs.pairs) {
            if left.name != right.name { return left.name < right.name }
            if left.value != right.value { return left.value < right.value }
        }
        return lhs.pairs.count < rhs.pairs.count
    }

    /// These labels with one more.
    public func adding(_ name: String, _ value: String) -> MetricLabels {
        MetricLabels(pairs.map { ($0.name, $0.value) } + [(name, value)])
    }

    /// The value of the label `name`.
    public subscript(name: String) -> String? { pairs.first { $0.name == name }?.value }
}

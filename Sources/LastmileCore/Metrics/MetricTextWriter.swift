import Glibc

/// The bytes of a metrics exposition, appended piece by piece without building a `String` for
/// each: a scrape of thousands of series is mostly copying names, labels and digits.
struct MetricTextWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    /// About how many bytes `families` take, so the buffer is allocated once.
    static func estimatedSize(_ families: [MetricFamily]) -> Int {
        families.reduce(0) { total, family in
            let line = family.name.utf8.count + 80
            switch family.values {
            case .scalars(let values): return total + 256 + values.count * line
            case .histograms(let histograms):
                return total + 256 + histograms.reduce(0) { $0 + ($1.value.bounds.count + 3) * (line + 16) }
            }
        }
    }

    mutating func write(_ text: String) { bytes.append(contentsOf: text.utf8) }

    mutating func write(_ raw: [UInt8]) { bytes.append(contentsOf: raw) }

    mutating func write(_ raw: ArraySlice<UInt8>) { bytes.append(contentsOf: raw) }

    mutating func write(byte: UInt8) { bytes.append(byte) }

    /// A count in decimal.
    mutating func write(_ value: UInt64) {
        guard value >= 10 else {
            bytes.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            while rest > 0 {
                buffer[19 - count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            }
            bytes.append(contentsOf: buffer[(20 - count)...])
        }
    }

    /// One sample line: `name{labels} value`.
    mutating func writeSample(_ name: [UInt8], _ labels: ArraySlice<UInt8>, _ value: Double) {
        write(name)
        write(labels)
        write(byte: UInt8(ascii: " "))
        write(value)
        write(byte: UInt8(ascii: "\n"))
    }

    /// One sample line with a count: `name{labels} count`.
    mutating func writeSample(_ name: [UInt8], _ labels: ArraySlice<UInt8>, _ count: UInt64) {
        write(name)
        write(labels)
        write(byte: UInt8(ascii: " "))
        write(count)
        write(byte: UInt8(ascii: "\n"))
    }

    /// The `le="…"} ` texts of a histogram's buckets, `+Inf` last, kept while the next
    /// histogram has the same bounds (every series of a family does).
    struct BucketLabels {
        private var bounds: [Double]?
        private var texts: [[UInt8]] = []

        mutating func texts(for bounds: [Double]) -> [[UInt8]] {
            if self.bounds != bounds {
                self.bounds = bounds
                texts = (bounds.map(PrometheusText.format) + ["+Inf"]).map { Array("le=\"\($0)\"} ".utf8) }
            }
            return texts
        }
    }

    /// A sample value as `PrometheusText.format` spells it: integers without a fraction.
    mutating func write(_ value: Double) {
        if value == value.rounded(), abs(value) < 1e15 {
            if value < 0 { bytes.append(UInt8(ascii: "-")) }
            write(UInt64(abs(value)))
        } else {
            write(PrometheusText.format(value))
        }
    }

    /// A family's series in label order: every label text in one buffer, and each series'
    /// place in it beside its value.
    struct SortedSeries<Value> {
        var text: [UInt8] = []
        var series: [(labels: Range<Int>, value: Value)] = []

        /// The label text of a series: `{a="1",b="2"}`, or nothing.
        func labels(_ range: Range<Int>) -> ArraySlice<UInt8> { text[range] }

        /// The label text opened for one more label (`le`): `{a="1",` or `{`.
        func opened(_ range: Range<Int>) -> [UInt8] {
            range.isEmpty ? [UInt8(ascii: "{")] : text[range.dropLast()] + [UInt8(ascii: ",")]
        }
    }

    /// The series of a family with their label text, sorted by it (byte order, which for
    /// ASCII is the order of the text). Positions are sorted rather than the series, and the
    /// texts live in one buffer, so sorting compares memory and moves integers.
    static func sorted<Value>(_ values: [MetricLabels: Value]) -> SortedSeries<Value> {
        var text: [UInt8] = []
        text.reserveCapacity(values.count * 48)
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(values.count)
        var unsorted: [Value] = []
        unsorted.reserveCapacity(values.count)
        for (labels, value) in values {
            let start = text.count
            appendLabelText(labels, to: &text)
            ranges.append(start..<text.count)
            unsorted.append(value)
        }
        let order = text.withUnsafeBufferPointer { buffer in
            ranges.withUnsafeBufferPointer { ranges in
                Array(ranges.indices).sorted { precedes(ranges[$0], ranges[$1], in: buffer) }
            }
        }
        return SortedSeries(text: text, series: order.map { (ranges[$0], unsorted[$0]) })
    }

    /// Byte order of two stretches of `buffer`.
    private static func precedes(_ left: Range<Int>, _ right: Range<Int>, in buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        let common = min(left.count, right.count)
        if common > 0, let base = buffer.baseAddress {
            let order = memcmp(base + left.lowerBound, base + right.lowerBound, common)
            if order != 0 { return order < 0 }
        }
        return left.count < right.count
    }

    /// Appends `{name="value",…}` with values escaped, or nothing for no labels.
    static func appendLabelText(_ labels: MetricLabels, to text: inout [UInt8]) {
        guard !labels.pairs.isEmpty else { return }
        text.append(UInt8(ascii: "{"))
        for (index, pair) in labels.pairs.enumerated() {
            if index > 0 { text.append(UInt8(ascii: ",")) }
            text.append(contentsOf: pair.name.utf8)
            text.append(UInt8(ascii: "="))
            text.append(UInt8(ascii: "\""))
            for byte in pair.value.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): text.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                case UInt8(ascii: "\""): text.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
                case 0x0A: text.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                default: text.append(byte)
                }
            }
            text.append(UInt8(ascii: "\""))
        }
        text.append(UInt8(ascii: "}"))
    }
}

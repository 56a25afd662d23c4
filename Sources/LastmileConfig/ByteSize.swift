/// Sizes as configs write them: `512KB`, `500MB`, `2GB` (powers of 1024).
public enum ByteSize {
    public static func parse(_ text: String) -> Int? {
        let units: [(String, Int)] = [("KB", 1 << 10), ("MB", 1 << 20), ("GB", 1 << 30), ("TB", 1 << 40), ("B", 1)]
        let upper = text.uppercased()
        for (suffix, factor) in units where upper.hasSuffix(suffix) {
            let number = upper.dropLast(suffix.count)
            guard !number.isEmpty, number.allSatisfy(\.isNumber), let value = Int(number) else { return nil }
            let (bytes, overflow) = value.multipliedReportingOverflow(by: factor)
            return overflow ? nil : bytes
        }
        return nil
    }
}

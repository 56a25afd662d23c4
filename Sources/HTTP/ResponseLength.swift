/// Lengths a peer states in a response, read strictly: digits only, and small enough that no
/// arithmetic on them can overflow. A peer answering `Content-Length: -1` or a chunk of size
/// `7fffffffffffffff` gets an error, not a trap.
enum ResponseLength {
    /// The largest length taken at all; the caller's own limit is usually far lower.
    static let ceiling = 1 << 40

    /// `Content-Length`: decimal digits; repeated equal values (`5, 5`) are one value.
    static func contentLength(_ text: String) -> Int? {
        let values = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let first = values.first, values.allSatisfy({ $0 == first }) else { return nil }
        return parse(first, radix: 10, maximumDigits: 13)
    }

    /// A chunk-size line's number: hexadecimal digits, optional whitespace around them.
    static func chunkSize(_ text: String) -> Int? {
        parse(text.trimmingCharacters(in: .whitespaces), radix: 16, maximumDigits: 10)
    }

    private static func parse(_ text: String, radix: Int, maximumDigits: Int) -> Int? {
        guard !text.isEmpty, text.utf8.count <= maximumDigits,
              text.allSatisfy({ $0.isASCII && $0.isHexDigit && (radix == 16 || $0.isNumber) }),
              let value = Int(text, radix: radix), value >= 0, value <= ceiling else { return nil }
        return value
    }
}

/// A canary's identifier as carried in the message body: eight Crockford base32
/// symbols (40 random bits) followed by one check symbol.
///
/// The check symbol is a position-weighted sum of the symbol values modulo 31,
/// which catches every single-symbol substitution but one pair (0 ↔ Z is the only
/// difference of 31) and every swap of two adjacent symbols but the same pair. All
/// symbols are in the GSM-7 basic set, so a token never forces UCS-2 encoding.
public struct Token: Hashable, Sendable, CustomStringConvertible, Comparable {
    /// Number of random symbols.
    public static let payloadLength = 8
    /// Total length including the check symbol.
    public static let length = payloadLength + 1

    /// The 40-bit random payload.
    public let payload: UInt64

    /// Creates a token from its payload; the top 24 bits are ignored.
    public init(payload: UInt64) {
        self.payload = payload & 0xFF_FFFF_FFFF
    }

    /// A fresh random token.
    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> Token {
        Token(payload: generator.next())
    }

    /// A fresh random token from the system's generator.
    public static func random() -> Token {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// The payload's symbol values, most significant first.
    var symbolValues: [Int] {
        (0..<Self.payloadLength).map { index in
            Int((payload >> UInt64(5 * (Self.payloadLength - 1 - index))) & 0x1F)
        }
    }

    /// The check value for a sequence of payload symbol values.
    static func checkValue<C: Collection>(of values: C) -> Int where C.Element == Int {
        var sum = 0
        for (index, value) in values.enumerated() {
            sum += (index + 1) * value
        }
        return sum % 31
    }

    /// The canonical text: nine upper-case symbols.
    public var description: String {
        let values = symbolValues
        var text = String(values.map(CrockfordBase32.symbol(for:)))
        text.append(CrockfordBase32.symbol(for: Self.checkValue(of: values)))
        return text
    }

    /// Parses a token written on its own, with the same tolerance as scanning
    /// (case, confusables, spaces and hyphens). Returns nil on a wrong check symbol.
    public init?(_ text: String) {
        let values = text.unicodeScalars.compactMap { scalar -> Int?? in
            if scalar == "-" || scalar.properties.isWhitespace { return .some(nil) }
            guard let value = CrockfordBase32.value(of: scalar) else { return nil }
            return .some(value)
        }
        let symbols = values.compactMap { $0 }
        guard values.count == text.unicodeScalars.count,
              symbols.count == Self.length,
              let token = Token(symbolValues: symbols[...]) else { return nil }
        self = token
    }

    /// Builds a token from nine symbol values packed five bits each (the check symbol lowest),
    /// if the check symbol is right.
    init?(window: UInt64) {
        var sum = 0
        for index in 0..<Self.payloadLength {
            sum += (index + 1) * Int((window >> UInt64(5 * (Self.length - 1 - index))) & 0x1F)
        }
        guard sum % 31 == Int(window & 0x1F) else { return nil }
        self.payload = (window >> 5) & 0xFF_FFFF_FFFF
    }

    /// Builds a token from nine symbol values if the check symbol is right.
    init?(symbolValues: ArraySlice<Int>) {
        guard symbolValues.count == Self.length else { return nil }
        let payloadValues = symbolValues.prefix(Self.payloadLength)
        guard Self.checkValue(of: payloadValues) == symbolValues.last! else { return nil }
        var payload: UInt64 = 0
        for value in payloadValues { payload = payload << 5 | UInt64(value) }
        self.payload = payload
    }

    public static func < (lhs: Token, rhs: Token) -> Bool { lhs.payload < rhs.payload }
}

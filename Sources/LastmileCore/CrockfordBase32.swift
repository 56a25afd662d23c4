/// Crockford's base32 alphabet: digits and letters without I, L, O and U.
///
/// Decoding is tolerant as Crockford specifies: lower case is accepted, and the
/// confusable letters O, I and L read as 0, 1 and 1.
public enum CrockfordBase32 {
    /// The 32 symbols, in value order.
    public static let alphabet: [Character] = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    private static let alphabetBytes: [UInt8] = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    private static let decodeTable: [Int8] = {
        var table = [Int8](repeating: -1, count: 128)
        for (value, byte) in alphabetBytes.enumerated() {
            table[Int(byte)] = Int8(value)
            let lower = byte | 0x20
            if byte >= 0x41 { table[Int(lower)] = Int8(value) }
        }
        for (byte, value) in [(UInt8(ascii: "O"), 0), (UInt8(ascii: "o"), 0),
                              (UInt8(ascii: "I"), 1), (UInt8(ascii: "i"), 1),
                              (UInt8(ascii: "L"), 1), (UInt8(ascii: "l"), 1)] {
            table[Int(byte)] = Int8(value)
        }
        return table
    }()

    /// The value of one symbol, or nil when it is not a (tolerated) base32 symbol.
    @inlinable
    public static func value(of scalar: Unicode.Scalar) -> Int? {
        value(ofASCII: scalar.value < 128 ? UInt8(scalar.value) : 0xFF)
    }

    /// The value of one ASCII byte, or nil when it is not a (tolerated) base32 symbol.
    public static func value(ofASCII byte: UInt8) -> Int? {
        guard byte < 128 else { return nil }
        let value = decodeTable[Int(byte)]
        return value < 0 ? nil : Int(value)
    }

    /// The canonical symbol for a value in 0..<32.
    public static func symbol(for value: Int) -> Character {
        alphabet[value]
    }
}

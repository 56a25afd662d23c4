/// Decodes TOML 1.0.0 documents.
///
/// Every error carries a line and column. No input crashes it or makes it hang:
/// nesting is limited, numbers out of range are errors, and invalid UTF-8 is
/// reported where it starts.
public enum TOMLDecoder {
    /// Arrays and inline tables may nest at most this deep.
    public static let maximumNesting = 100

    /// Decodes a document given as text.
    public static func decode(_ text: String) throws(TOMLError) -> TOMLTable {
        try decode(bytes: Array(text.utf8))
    }

    /// Decodes a document given as raw bytes, which must be UTF-8.
    public static func decode(bytes: [UInt8]) throws(TOMLError) -> TOMLTable {
        var parser = Parser(bytes: bytes)
        if let offset = firstInvalidUTF8Offset(bytes) {
            throw TOMLError("invalid UTF-8", at: parser.position(of: offset))
        }
        return try parser.parseDocument()
    }
}

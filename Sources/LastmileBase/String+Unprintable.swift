extension Unicode.Scalar {
    /// Whether the scalar can move, erase or hide text where it is shown: C0 and C1 controls,
    /// DEL, Unicode's line and paragraph separators, and the bidirectional overrides and isolates
    /// that reorder what a reader sees.
    public var isUnprintable: Bool {
        value < 0x20 || (0x7F...0x9F).contains(value) || value == 0x2028 || value == 0x2029
            || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
    }

    /// How the scalar is written when it must not act: `\n`, `\r`, `\t`, or `\u{hex}`.
    public var escaped: String {
        switch self {
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        default: return "\\u{\(String(value, radix: 16))}"
        }
    }
}

extension String {
    /// The string with every unprintable scalar written as an escape, for a terminal, a log line
    /// or a `<pre>`: text from a phone or a provider cannot move the cursor, forge a line, set the
    /// clipboard or reorder what follows it.
    public var escapingUnprintable: String {
        guard unicodeScalars.contains(where: \.isUnprintable) else { return self }
        var output = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            if scalar.isUnprintable { output.append(contentsOf: scalar.escaped.unicodeScalars) } else { output.append(scalar) }
        }
        return String(output)
    }
}

extension String {
    /// The string in double quotes, with `\\` and `"` escaped as well as every unprintable scalar:
    /// a field from a phone or a provider shown this way cannot end its quotation early, nor
    /// pass for an escape or for the text around it.
    public var quotedForDisplay: String {
        var output = String.UnicodeScalarView()
        output.append("\"")
        for scalar in unicodeScalars {
            switch scalar {
            case "\\", "\"":
                output.append("\\")
                output.append(scalar)
            case _ where scalar.isUnprintable:
                output.append(contentsOf: scalar.escaped.unicodeScalars)
            default:
                output.append(scalar)
            }
        }
        output.append("\"")
        return String(output)
    }
}

/// The toml-test "tagged JSON" form: tables as objects, arrays as arrays, and each
/// scalar as `{"type": …, "value": "…"}`.
extension TOMLTable {
    /// The table in tagged JSON.
    public var taggedJSON: String {
        var output = ""
        TaggedJSONWriter.write(.table(self), into: &output)
        return output
    }
}

enum TaggedJSONWriter {
    static func write(_ value: TOMLValue, into output: inout String) {
        switch value {
        case .table(let table):
            output += "{"
            for (offset, entry) in table.entries.enumerated() {
                if offset > 0 { output += "," }
                writeString(entry.key, into: &output)
                output += ":"
                write(entry.node.value, into: &output)
            }
            output += "}"
        case .array(let nodes):
            output += "["
            for (offset, node) in nodes.enumerated() {
                if offset > 0 { output += "," }
                write(node.value, into: &output)
            }
            output += "]"
        case .string(let text): scalar("string", text, into: &output)
        case .integer(let number): scalar("integer", String(number), into: &output)
        case .float(let number):
            let text = number.isNaN ? "nan" : number.isInfinite ? (number < 0 ? "-inf" : "inf") : "\(number)"
            scalar("float", text, into: &output)
        case .boolean(let flag): scalar("bool", flag ? "true" : "false", into: &output)
        case .offsetDateTime(let dateTime): scalar("datetime", dateTime.description, into: &output)
        case .localDateTime(let dateTime): scalar("datetime-local", dateTime.description, into: &output)
        case .localDate(let date): scalar("date-local", date.description, into: &output)
        case .localTime(let time): scalar("time-local", time.description, into: &output)
        }
    }

    static func scalar(_ type: String, _ value: String, into output: inout String) {
        output += "{\"type\":\"\(type)\",\"value\":"
        writeString(value, into: &output)
        output += "}"
    }

    static func writeString(_ text: String, into output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let digits = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}

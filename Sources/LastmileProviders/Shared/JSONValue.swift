/// A JSON value as an inbound report carries it (`JSONReader` reads one from bytes). Numbers
/// keep their literal text, so an id sent as a number comes out digit for digit.
public enum JSONValue: Sendable, Hashable {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    /// A number, as it was written.
    case number(String)
    case bool(Bool)
    case null

    /// The value at a dotted `path` (`messages.0.bx_message_id`); numeric segments index arrays.
    public func value(at path: String) -> JSONValue? {
        // Most reports name top-level fields: no path to split.
        if case .object(let members) = self, !path.utf8.contains(UInt8(ascii: ".")) { return members[path] }
        var current = self
        for segment in path.split(separator: ".") {
            switch current {
            case .object(let members):
                guard let member = members[String(segment)] else { return nil }
                current = member
            case .array(let elements):
                guard let index = Int(segment), elements.indices.contains(index) else { return nil }
                current = elements[index]
            default:
                return nil
            }
        }
        return current
    }

    /// As text: a string as it is, a number or boolean written out; nil for null, arrays and objects.
    /// A whole number written with a fraction or exponent (`1.0`, `2e3`) reads as an integer.
    public var text: String? {
        switch self {
        case .string(let text): return text
        case .bool(let value): return value ? "true" : "false"
        case .number(let literal):
            guard literal.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }),
                  let number = Double(literal) else { return literal }
            if number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
            return String(number)
        case .object, .array, .null: return nil
        }
    }
}

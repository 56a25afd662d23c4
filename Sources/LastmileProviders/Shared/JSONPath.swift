import Foundation

/// Reads values out of decoded JSON by dotted paths: `messages.0.bx_message_id`.
public enum JSONPath {
    /// Decodes a JSON body; nil if it is not JSON.
    public static func decode(_ data: Data) -> Any? {
        try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    }

    /// The value at `path`; numeric segments index arrays.
    public static func value(in object: Any, at path: String) -> Any? {
        var current: Any? = object
        for segment in path.split(separator: ".") {
            switch current {
            case let dictionary as [String: Any]:
                current = dictionary[String(segment)]
            case let array as [Any]:
                guard let index = Int(segment), array.indices.contains(index) else { return nil }
                current = array[index]
            default:
                return nil
            }
        }
        return current
    }

    /// The value at `path` as text: strings as they are, numbers and booleans written out, null as nil.
    public static func string(in object: Any, at path: String) -> String? {
        text(value(in: object, at: path))
    }

    static func text(_ value: Any?) -> String? {
        switch value {
        case let text as String: return text
        case let number as NSNumber:
            if String(describing: type(of: number)).contains("Boolean") { return number.boolValue ? "true" : "false" }
            if number.doubleValue == number.doubleValue.rounded(), abs(number.doubleValue) < 1e15 { return String(number.int64Value) }
            return number.stringValue
        default: return nil
        }
    }
}

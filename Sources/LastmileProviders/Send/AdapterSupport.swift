import Foundation
import HTTP
import LastmileConfig
import LastmileCore

/// Small pieces every adapter uses.
enum AdapterSupport {
    static func json(_ object: Any) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }

    static func form(_ fields: [(String, String)]) -> Data {
        Data(fields.map { "\(PercentEncoding.encode($0.0))=\(PercentEncoding.encode($0.1))" }.joined(separator: "&").utf8)
    }

    static func basic(_ user: String, _ password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    /// The receipt callback with the canary's token in it, so receipts match even without a message id.
    static func callback(_ message: OutboundMessage) -> String? {
        guard let url = message.receiptCallback else { return nil }
        let separator = url.query == nil ? "?" : "&"
        return url.absoluteString + separator + "canary=" + message.token.description
    }

    /// `base` + `path`, keeping any path the configured base already has.
    static func url(_ base: URL, _ path: String) -> URL {
        let text = base.absoluteString.hasSuffix("/") ? String(base.absoluteString.dropLast()) : base.absoluteString
        return URL(string: text + path) ?? base
    }

    /// The digits of an E.164 number, for APIs that want no `+`.
    static func digits(_ number: String) -> String { number.hasPrefix("+") ? String(number.dropFirst()) : number }

    /// The first characters of an answer, for a readable reason.
    static func excerpt(_ body: Data) -> String {
        String(decoding: body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

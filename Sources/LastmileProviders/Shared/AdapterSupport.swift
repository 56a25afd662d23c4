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

    /// The usual JSON answer: accepted on a 2xx that carries a message id, the provider's own
    /// words for its status, error code and reason found by the given paths.
    static func jsonAnswer(status: Int, body: Data, id: String, providerStatus: String? = nil, code: String? = nil,
                           reason: String, price: String? = nil, network: String? = nil) -> SubmitAnswer {
        let json = JSONPath.decode(body)
        func field(_ path: String?) -> String? { path.flatMap { path in json.flatMap { JSONPath.string(in: $0, at: path) } } }
        let messageID = field(id)
        var outcome = StatusOutcome.outcome(for: status)
        if outcome == .accepted && messageID == nil { outcome = .error }
        return SubmitAnswer(outcome: outcome, providerMessageID: messageID, providerStatus: field(providerStatus) ?? "http \(status)",
                            errorCode: field(code), reason: outcome == .accepted ? nil : field(reason) ?? AdapterSupport.statusReason(status, body),
                            price: field(price), network: field(network))
    }

    /// The reason given when the answer names none: its status and the start of its body.
    static func statusReason(_ status: Int, _ body: Data) -> String {
        let text = excerpt(body, characters: 160)
        return text.isEmpty ? "HTTP \(status)" : "HTTP \(status): \(text)"
    }

    /// The first characters of an answer, for a readable reason that is logged and stored: on
    /// one line, and with the value of any `token=` hidden, since a provider that echoes the
    /// request back would echo the receipt hook's secret with it.
    static func excerpt(_ body: Data, characters: Int = 200) -> String {
        let text = String(decoding: body.prefix(characters), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return hidingTokens(text).replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")
    }

    /// `text` with what follows each `token=` or `token%3D` (any case: a callback URL echoed
    /// inside a form-encoded request) up to the next `&`, `%26`, quote, space or bracket written
    /// as `[hidden]`.
    static func hidingTokens(_ text: String) -> String {
        var scalars = Array(text.unicodeScalars)
        let keys = [Array("token=".unicodeScalars), Array("token%3d".unicodeScalars)]
        func matches(_ word: [Unicode.Scalar], at index: Int) -> Bool {
            index + word.count <= scalars.count
                && zip(scalars[index..<(index + word.count)], word).allSatisfy { String($0).lowercased() == String($1) }
        }
        let encodedAmpersand = Array("%26".unicodeScalars)
        var index = 0
        while index < scalars.count {
            guard let key = keys.first(where: { matches($0, at: index) }) else {
                index += 1
                continue
            }
            let start = index + key.count
            var end = start
            while end < scalars.count, !"&\"' <>\n\r\t,;}])".unicodeScalars.contains(scalars[end]), !matches(encodedAmpersand, at: end) {
                end += 1
            }
            if end > start { scalars.replaceSubrange(start..<end, with: "[hidden]".unicodeScalars) }
            index = start
        }
        var output = String.UnicodeScalarView()
        output.append(contentsOf: scalars)
        return String(output)
    }
}

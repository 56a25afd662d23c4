import Foundation
import HTTP
import LastmileConfig
import LastmileCore

/// Any JSON or form API described in the config: a URL, headers and a body with
/// `{to}`, `{from}`, `{body}`, `{token}` and `{secret}` placeholders, and field
/// paths that find the message id and status in the answer.
struct GenericHTTPSendAdapter: SendAdapter {
    let specification: HTTPRouteSpecification
    let secret: Secret?
    let timeout: Double

    init(route: RouteConfiguration, specification: HTTPRouteSpecification, timeout: Double) {
        self.specification = specification
        self.secret = route.secret
        self.timeout = timeout
    }

    func fill(_ template: String, _ message: OutboundMessage, encode: (String) -> String = { $0 }) -> String {
        var text = template
        let values = [("{to}", message.to), ("{from}", message.from), ("{body}", message.body),
                      ("{token}", message.token.description), ("{canary}", message.canaryID),
                      ("{callback}", message.receiptCallback?.absoluteString ?? ""), ("{secret}", secret?.reveal() ?? "")]
        for (placeholder, value) in values where text.contains(placeholder) {
            text = text.replacingOccurrences(of: placeholder, with: encode(value))
        }
        return text
    }

    func request(for message: OutboundMessage) throws(SendAdapterError) -> HTTPClient.Request {
        guard let url = URL(string: fill(specification.url, message, encode: PercentEncoding.encode)) else {
            throw SendAdapterError("the request url does not form a URL")
        }
        var headers = specification.headers.sorted { $0.key < $1.key }.map { ($0.key, fill($0.value, message)) }
        var body: Data?
        if let json = specification.json {
            body = try? JSONSerialization.data(withJSONObject: render(json, message), options: [.sortedKeys, .fragmentsAllowed])
            if !headers.contains(where: { $0.0.lowercased() == "content-type" }) { headers.append(("Content-Type", "application/json")) }
        } else if let form = specification.form {
            body = Data(form.sorted { $0.key < $1.key }
                .map { "\(PercentEncoding.encode($0.key))=\(PercentEncoding.encode(fill($0.value, message)))" }
                .joined(separator: "&").utf8)
            if !headers.contains(where: { $0.0.lowercased() == "content-type" }) {
                headers.append(("Content-Type", "application/x-www-form-urlencoded"))
            }
        }
        return HTTPClient.Request(method: specification.method, url: url, headers: headers, body: body,
                                  timeout: timeout, isIdempotent: false)
    }

    func render(_ template: JSONTemplate, _ message: OutboundMessage) -> Any {
        switch template {
        case .string(let text): return fill(text, message)
        case .integer(let number): return number
        case .number(let number): return number
        case .boolean(let flag): return flag
        case .array(let items): return items.map { render($0, message) }
        case .object(let pairs):
            var object: [String: Any] = [:]
            for (key, value) in pairs { object[key] = render(value, message) }
            return object
        }
    }

    /// The start of an answer's body, for the log: `: {"error": …}`.
    static func excerpt(_ body: Data) -> String {
        let text = AdapterSupport.excerpt(body, characters: 160)
        return text.isEmpty ? "" : ": " + text
    }

    func answer(status: Int, body: Data) -> SubmitAnswer {
        let json = JSONPath.decode(body)
        let messageID = specification.responseMessageID.flatMap { path in json.flatMap { JSONPath.string(in: $0, at: path) } }
        let providerStatus = specification.responseStatus.flatMap { path in json.flatMap { JSONPath.string(in: $0, at: path) } }
        var outcome = StatusOutcome.outcome(for: status)
        var reason: String? = outcome == .accepted ? nil : AdapterSupport.statusReason(status, body)
        // A 2xx the configured paths cannot be read in (a proxy's HTML page, an empty body) says
        // nothing about the message: an error, neither accepted nor refused by the API.
        let expectsJSON = specification.responseMessageID != nil || !specification.accepted.isEmpty
        if outcome == .accepted, expectsJSON, json == nil {
            outcome = .error
            reason = "HTTP \(status), but the answer is not JSON" + Self.excerpt(body)
        } else if outcome == .accepted, !specification.accepted.isEmpty {
            if let providerStatus, specification.accepted.contains(providerStatus) {
                outcome = .accepted
            } else if let providerStatus {
                outcome = .rejected
                reason = "status \(providerStatus) is not one of \(specification.accepted.joined(separator: ", "))"
            } else {
                outcome = .error
                reason = "HTTP \(status), but the answer has no status at \(specification.responseStatus ?? "")" + Self.excerpt(body)
            }
        }
        if outcome == .accepted, let path = specification.responseMessageID, messageID == nil {
            outcome = .error
            reason = "HTTP \(status), but the answer has no message id at \(path)" + Self.excerpt(body)
        }
        return SubmitAnswer(outcome: outcome, providerMessageID: messageID, providerStatus: providerStatus ?? "http \(status)",
                            errorCode: outcome == .accepted ? nil : String(status), reason: reason)
    }
}

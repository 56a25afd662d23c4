import Foundation
import HTTP

/// The fields of an inbound report, wherever the sender put them: a JSON body, a
/// form body, or the query string of a GET.
public enum ReportFields {
    case json(JSONValue)
    case form([String: String])

    /// Reads a request's fields; a body that is neither JSON nor a form is an error.
    public static func read(_ request: HTTPRequest) throws(ReportError) -> ReportFields {
        if request.method == "GET" || request.body.isEmpty {
            let items = request.head.queryItems
            guard !items.isEmpty else { throw .malformed("the report is empty") }
            return .form(Dictionary(items.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first }))
        }
        let type = request.headers["Content-Type"]?.lowercased() ?? ""
        if type.hasPrefix("application/x-www-form-urlencoded") {
            guard let text = String(validating: request.body, as: UTF8.self) else { throw .malformed("the form is not UTF-8") }
            return .form(Dictionary(PercentEncoding.formFields(text).map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first }))
        }
        do throws(JSONReader.Failure) {
            return .json(try JSONReader.read(request.body))
        } catch {
            throw .malformed(type.contains("json") || type.isEmpty ? "the body is not valid JSON (\(error))" : "unsupported content type \(type)")
        }
    }

    /// The field at `path` (a dotted path into JSON, or a form field name).
    public func string(_ path: String) -> String? {
        switch self {
        case .json(let value): return value.value(at: path)?.text
        case .form(let fields): return fields[path]
        }
    }

    /// The first of several possible names that is present and not empty.
    public func first(_ paths: String...) -> String? {
        for path in paths { if let value = string(path), !value.isEmpty { return value } }
        return nil
    }
}

import Foundation
import HTTP
import LastmileBase

/// The generic arrival `{"to": …, "from": …, "body": …, "received_at": …}` (JSON, form or query).
struct JSONArrivalParser: ArrivalParser {
    func arrivals(from request: HTTPRequest) throws(ReportError) -> [ParsedArrival] {
        let fields = try ReportFields.read(request)
        guard let body = fields.string("body") ?? fields.string("text") else { throw .malformed("body is missing") }
        guard let from = fields.first("from", "sender") else { throw .malformed("from is missing") }
        var receivedAt: Date?
        if let text = fields.first("received_at") {
            guard let date = Timestamps.parse(text) else { throw .malformed("received_at is not an RFC 3339 time") }
            receivedAt = date
        }
        return [ParsedArrival(from: from, to: fields.first("to"), body: body, receivedAt: receivedAt)]
    }
}

import Foundation
import HTTP
import LastmileBase

/// httpSMS's `message.phone.received` CloudEvent: `data.contact` (sender), `data.owner`, `data.content`, `data.timestamp`.
/// https://docs.httpsms.com/webhooks/events
struct HTTPSMSArrivalParser: ArrivalParser {
    func arrivals(from request: HTTPRequest) throws(ReportError) -> [ParsedArrival] {
        let fields = try ReportFields.read(request)
        guard let type = fields.string("type") else { throw .malformed("type is missing") }
        guard type == "message.phone.received" else { return [] }
        guard let from = fields.string("data.contact") else { throw .malformed("data.contact is missing") }
        guard let content = fields.string("data.content") else { throw .malformed("data.content is missing") }
        return [ParsedArrival(from: from, to: fields.string("data.owner"), body: content,
                              receivedAt: fields.string("data.timestamp").flatMap(Timestamps.parse))]
    }
}

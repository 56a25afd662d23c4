import Foundation
import HTTP
import LastmileBase

/// Telnyx's `message.received` event: `data.payload.from.phone_number`, `to[0]`, `text`, `received_at`.
/// https://developers.telnyx.com/api-reference/callbacks/inbound-message
struct TelnyxArrivalParser: ArrivalParser {
    func arrivals(from request: HTTPRequest) throws(ReportError) -> [ParsedArrival] {
        let fields = try ReportFields.read(request)
        guard let event = fields.string("data.event_type") else { throw .malformed("data.event_type is missing") }
        guard event == "message.received" else { return [] }
        guard let from = fields.string("data.payload.from.phone_number") else { throw .malformed("data.payload.from.phone_number is missing") }
        guard let text = fields.string("data.payload.text") else { throw .malformed("data.payload.text is missing") }
        let stamp = fields.string("data.payload.received_at") ?? fields.string("data.occurred_at")
        return [ParsedArrival(from: from, to: fields.string("data.payload.to.0.phone_number"), body: text,
                              receivedAt: stamp.flatMap(Timestamps.parse))]
    }
}

import Foundation
import HTTP
import LastmileBase

/// SMS Gateway for Android's webhook: `{"event": "sms:received", "payload": {"message", "phoneNumber", "receivedAt"}}`.
struct AndroidSMSGatewayArrivalParser: ArrivalParser {
    func arrivals(from request: HTTPRequest) throws(ReportError) -> [ParsedArrival] {
        let fields = try ReportFields.read(request)
        guard let event = fields.string("event") else { throw .malformed("event is missing") }
        guard event == "sms:received" else { return [] }
        guard let body = fields.string("payload.message") else { throw .malformed("payload.message is missing") }
        guard let from = fields.string("payload.phoneNumber") else { throw .malformed("payload.phoneNumber is missing") }
        var receivedAt: Date?
        if let text = fields.string("payload.receivedAt") {
            guard let date = Timestamps.parse(text) else { throw .malformed("payload.receivedAt is not an RFC 3339 time") }
            receivedAt = date
        }
        return [ParsedArrival(from: from, to: nil, body: body, receivedAt: receivedAt)]
    }
}

import Foundation
import HTTP
import LastmileBase

/// Vonage's inbound SMS (GET, form or JSON): `msisdn`, `to`, `text`, `message-timestamp`, and for
/// a part of a long message `concat-ref`, `concat-total`, `concat-part`.
/// https://developer.vonage.com/en/messaging/sms/guides/inbound-sms
struct VonageArrivalParser: ArrivalParser {
    func arrivals(from request: HTTPRequest) throws(ReportError) -> [ParsedArrival] {
        let fields = try ReportFields.read(request)
        guard fields.first("messageId") != nil else { throw .malformed("messageId is missing") }
        guard let from = fields.first("msisdn") else { throw .malformed("msisdn is missing") }
        guard let text = fields.string("text") else { throw .malformed("text is missing") }
        var receivedAt: Date?
        if let stamp = fields.first("message-timestamp") {
            // "2020-01-01 12:00:00 +0000" (older hooks omit the offset: UTC).
            guard let date = Timestamps.parse(stamp) else {
                throw .malformed("message-timestamp is not YYYY-MM-DD HH:MM:SS")
            }
            receivedAt = date
        }
        var part: MessagePart?
        if fields.first("concat") == "true" {
            guard let reference = fields.first("concat-ref"), let total = fields.first("concat-total").flatMap(Int.init),
                  let index = fields.first("concat-part").flatMap(Int.init), total >= 1, total <= 255, (1...total).contains(index) else {
                throw .malformed("a concatenated part needs concat-ref, concat-total and concat-part")
            }
            part = MessagePart(reference: reference, total: total, index: index)
        }
        return [ParsedArrival(from: from, to: fields.first("to"), body: text, receivedAt: receivedAt, part: part)]
    }
}

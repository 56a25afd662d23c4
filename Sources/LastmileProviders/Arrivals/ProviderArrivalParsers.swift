import Foundation
import HTTP

/// Twilio's incoming-message webhook (form): `MessageSid`, `From`, `To`, `Body`.
/// https://www.twilio.com/docs/messaging/guides/webhook-request
struct TwilioArrivalParser: ArrivalParser {
    func arrivals(from request: HTTPRequest) throws(ReportError) -> [ParsedArrival] {
        let fields = try ReportFields.read(request)
        guard fields.first("MessageSid", "SmsSid") != nil else { throw .malformed("MessageSid is missing") }
        guard let from = fields.first("From") else { throw .malformed("From is missing") }
        guard let body = fields.string("Body") else { throw .malformed("Body is missing") }
        return [ParsedArrival(from: from, to: fields.first("To"), body: body, receivedAt: nil)]
    }
}

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

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

import HTTP
import LastmileCore

/// Twilio's status callback: a form with `MessageSid`, `MessageStatus` and `ErrorCode`.
struct TwilioReceiptParser: ReceiptParser {
    func receipts(from request: HTTPRequest) throws(ReportError) -> [ParsedReceipt] {
        let fields = try ReportFields.read(request)
        guard let sid = fields.first("MessageSid", "SmsSid") else { throw .malformed("MessageSid is missing") }
        guard let word = fields.first("MessageStatus", "SmsStatus") else { throw .malformed("MessageStatus is missing") }
        return [ParsedReceipt(messageID: sid, token: canaryToken(request, fields), status: ReceiptStatusTable.twilio.status(for: word),
                              rawStatus: word, errorCode: fields.first("ErrorCode"))]
    }
}

extension ReceiptStatusTable {
    public static let twilio = ReceiptStatusTable(provider: "twilio", [
        ("accepted", .pending), ("scheduled", .pending), ("queued", .pending), ("sending", .pending), ("sent", .pending),
        ("delivered", .delivered), ("read", .delivered), ("undelivered", .undelivered), ("failed", .failed),
        ("canceled", .deleted),
    ])
}

import Foundation
import HTTP
import LastmileBase
import LastmileCore

/// Vonage's delivery receipt (GET, form or JSON): `messageId`, `status`, `err-code`, `client-ref`, `scts`.
/// https://developer.vonage.com/en/messaging/sms/guides/delivery-receipts
struct VonageReceiptParser: ReceiptParser {
    func receipts(from request: HTTPRequest) throws(ReportError) -> [ParsedReceipt] {
        let fields = try ReportFields.read(request)
        guard let id = fields.first("messageId") else { throw .malformed("messageId is missing") }
        guard let word = fields.first("status") else { throw .malformed("status is missing") }
        let code = fields.first("err-code")
        return [ParsedReceipt(messageID: id, token: canaryToken(request, fields, reference: "client-ref"),
                              status: ReceiptStatusTable.vonage.status(for: word), rawStatus: word,
                              errorCode: code == "0" ? nil : code,
                              reportedAt: fields.first("message-timestamp").flatMap(Timestamps.parse))]
    }
}

extension ReceiptStatusTable {
    public static let vonage = ReceiptStatusTable(provider: "vonage", [
        ("accepted", .pending), ("buffered", .pending), ("delivered", .delivered), ("expired", .expired),
        ("failed", .failed), ("rejected", .rejected), ("unknown", .unknown), ("deleted", .deleted),
    ])
}

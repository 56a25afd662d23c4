import Foundation
import HTTP
import LastmileBase
import LastmileCore

/// MessageBird's status report (GET): `id`, `reference`, `status`, `statusErrorCode`.
/// https://developers.messagebird.com/api/sms-messaging/#handle-a-status-report
struct MessageBirdReceiptParser: ReceiptParser {
    func receipts(from request: HTTPRequest) throws(ReportError) -> [ParsedReceipt] {
        let fields = try ReportFields.read(request)
        guard let id = fields.first("id") else { throw .malformed("id is missing") }
        guard let word = fields.first("status") else { throw .malformed("status is missing") }
        return [ParsedReceipt(messageID: id, token: canaryToken(request, fields, reference: "reference"),
                              status: ReceiptStatusTable.messagebird.status(for: word), rawStatus: word,
                              errorCode: fields.first("statusErrorCode"),
                              reportedAt: fields.first("statusDatetime").flatMap(Timestamps.parse))]
    }
}

extension ReceiptStatusTable {
    public static let messagebird = ReceiptStatusTable(provider: "messagebird", [
        ("scheduled", .pending), ("sent", .pending), ("buffered", .pending), ("delivered", .delivered),
        ("expired", .expired), ("delivery_failed", .undelivered),
    ])
}

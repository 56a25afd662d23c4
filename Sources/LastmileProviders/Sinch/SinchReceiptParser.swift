import Foundation
import HTTP
import LastmileBase
import LastmileCore

/// Sinch's per-recipient delivery report: `batch_id`, `status`, `code`, `client_reference`.
/// https://developers.sinch.com/docs/sms/api-reference/sms/tag/Webhooks
struct SinchReceiptParser: ReceiptParser {
    func receipts(from request: HTTPRequest) throws(ReportError) -> [ParsedReceipt] {
        let fields = try ReportFields.read(request)
        guard fields.string("type") == "recipient_delivery_report_sms" else {
            throw .malformed("type must be recipient_delivery_report_sms")
        }
        guard let id = fields.string("batch_id") else { throw .malformed("batch_id is missing") }
        guard let word = fields.string("status") else { throw .malformed("status is missing") }
        return [ParsedReceipt(messageID: id, token: canaryToken(request, fields, reference: "client_reference"),
                              status: ReceiptStatusTable.sinch.status(for: word), rawStatus: word,
                              errorCode: fields.string("code"), reportedAt: fields.string("at").flatMap(Timestamps.parse))]
    }
}

extension ReceiptStatusTable {
    public static let sinch = ReceiptStatusTable(provider: "sinch", [
        ("queued", .pending), ("dispatched", .pending), ("delivered", .delivered), ("failed", .failed),
        ("rejected", .rejected), ("expired", .expired), ("aborted", .deleted), ("cancelled", .deleted), ("deleted", .deleted),
        ("unknown", .unknown),
    ])
}

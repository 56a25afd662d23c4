import Foundation
import HTTP
import LastmileBase
import LastmileCore

/// Telnyx's message events (`message.sent`, `message.finalized`): `data.payload.id` and `to[0].status`.
/// https://developers.telnyx.com/docs/messaging/messages/receiving-webhooks
struct TelnyxReceiptParser: ReceiptParser {
    func receipts(from request: HTTPRequest) throws(ReportError) -> [ParsedReceipt] {
        let fields = try ReportFields.read(request)
        guard let event = fields.string("data.event_type") else { throw .malformed("data.event_type is missing") }
        guard event == "message.sent" || event == "message.finalized" else { return [] }
        guard let id = fields.string("data.payload.id") else { throw .malformed("data.payload.id is missing") }
        guard let word = fields.string("data.payload.to.0.status") else { throw .malformed("data.payload.to.0.status is missing") }
        return [ParsedReceipt(messageID: id, token: canaryToken(request, fields), status: ReceiptStatusTable.telnyx.status(for: word),
                              rawStatus: word, errorCode: fields.string("data.payload.errors.0.code"),
                              reportedAt: fields.string("data.occurred_at").flatMap(Timestamps.parse))]
    }
}

extension ReceiptStatusTable {
    public static let telnyx = ReceiptStatusTable(provider: "telnyx", [
        ("queued", .pending), ("sending", .pending), ("sent", .pending), ("delivered", .delivered),
        ("sending_failed", .failed), ("delivery_failed", .undelivered), ("delivery_unconfirmed", .unknown), ("expired", .expired),
    ])
}

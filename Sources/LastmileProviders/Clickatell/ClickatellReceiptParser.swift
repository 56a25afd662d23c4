import Foundation
import HTTP
import LastmileBase
import LastmileCore

/// Clickatell's status callback (JSON): `messageId`, `clientMessageId` (our token), `status`,
/// `statusCode`, `timestamp` (Unix milliseconds).
/// https://docs.clickatell.com/channels/one-api/one-api-reference/ (status words as listed by
/// https://docs.rs/clickatell-api, `one_api::message_status::Status`)
struct ClickatellReceiptParser: ReceiptParser {
    func receipts(from request: HTTPRequest) throws(ReportError) -> [ParsedReceipt] {
        let fields = try ReportFields.read(request)
        guard let id = fields.first("messageId") else { throw .malformed("messageId is missing") }
        guard let word = fields.first("status") else { throw .malformed("status is missing") }
        let reportedAt = fields.first("timestamp").flatMap { Timestamps.epoch($0, unitsPerSecond: 1_000) }
        return [ParsedReceipt(messageID: id, token: canaryToken(request, fields, reference: "clientMessageId"),
                              status: ReceiptStatusTable.clickatell.status(for: word), rawStatus: word,
                              errorCode: fields.first("statusCode"), reportedAt: reportedAt)]
    }
}

extension ReceiptStatusTable {
    public static let clickatell = ReceiptStatusTable(provider: "clickatell", [
        ("QUEUED", .pending), ("SCHEDULED", .pending), ("SENT_TO_SUPPLIER", .pending), ("DEVICE_ACK", .delivered),
        ("READ", .delivered), ("DELIVERY_FAILURE", .undelivered), ("ROUTING_ERROR", .failed),
        ("RECIPIENT_DOES_NOT_EXIST", .failed), ("INSUFFICIENT_ACCOUNT_BALANCE", .rejected), ("VOLUME_LIMIT", .rejected),
        ("VOLUME_LIMIT_DAILY", .rejected), ("VOLUME_LIMIT_MONTHLY", .rejected), ("EXPIRED", .expired),
        ("STOPPED_BY_USER", .deleted), ("STOPPED_BY_ADMIN", .deleted),
    ])
}

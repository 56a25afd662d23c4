import Foundation
import HTTP
import LastmileCore

/// Plivo's message status callback (form): `MessageUUID`, `Status`, `ErrorCode`.
/// https://www.plivo.com/docs/messaging/concepts/callbacks
struct PlivoReceiptParser: ReceiptParser {
    func receipts(from request: HTTPRequest) throws(ReportError) -> [ParsedReceipt] {
        let fields = try ReportFields.read(request)
        guard let id = fields.first("MessageUUID") else { throw .malformed("MessageUUID is missing") }
        guard let word = fields.first("Status") else { throw .malformed("Status is missing") }
        let code = fields.first("ErrorCode")
        return [ParsedReceipt(messageID: id, token: canaryToken(request, fields), status: ReceiptStatusTable.plivo.status(for: word),
                              rawStatus: word, errorCode: code == "000" ? nil : code)]
    }
}

extension ReceiptStatusTable {
    public static let plivo = ReceiptStatusTable(provider: "plivo", [
        ("queued", .pending), ("sent", .pending), ("delivered", .delivered), ("undelivered", .undelivered),
        ("failed", .failed), ("rejected", .rejected), ("read", .delivered),
    ])
}

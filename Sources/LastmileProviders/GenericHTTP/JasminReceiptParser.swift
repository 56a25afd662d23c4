import Foundation
import HTTP
import LastmileCore

/// Jasmin's DLR (POST form): `id`, `message_status`, `level` (1: SMSC acknowledgement, 2: final receipt).
/// https://docs.jasminsms.com/en/latest/apis/ja-http/index.html#receiving-dlr
struct JasminReceiptParser: ReceiptParser {
    func receipts(from request: HTTPRequest) throws(ReportError) -> [ParsedReceipt] {
        let fields = try ReportFields.read(request)
        guard let id = fields.first("id") else { throw .malformed("id is missing") }
        guard let word = fields.first("message_status") else { throw .malformed("message_status is missing") }
        // Level 1 reports the SMSC's acknowledgement (ESME_ROK …), not delivery.
        let status: ReceiptStatus = fields.first("level") == "1"
            ? (word.uppercased() == "ESME_ROK" ? .pending : .rejected) : ReceiptStatusTable.smpp.status(for: word)
        return [ParsedReceipt(messageID: id, token: canaryToken(request, fields), status: status, rawStatus: word,
                              errorCode: fields.first("err").flatMap { $0 == "000" ? nil : $0 })]
    }
}

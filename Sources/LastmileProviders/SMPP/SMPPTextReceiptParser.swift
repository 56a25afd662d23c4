import Foundation
import HTTP
import LastmileCore

/// A bare SMPP delivery-receipt text in the body (or a `text` field), as some SMSC bridges post it.
struct SMPPTextReceiptParser: ReceiptParser {
    func receipts(from request: HTTPRequest) throws(ReportError) -> [ParsedReceipt] {
        let body = String(decoding: request.body, as: UTF8.self)
        let text = request.method == "GET" ? (request.queryValue("text") ?? "") : body
        guard let receipt = SMPPReceiptText(text) else { throw .malformed("not an SMPP delivery receipt (id:… stat:…)") }
        return [ParsedReceipt(messageID: receipt.id, token: request.queryValue("canary").flatMap(Token.init),
                              status: ReceiptStatusTable.smpp.status(for: receipt.stat), rawStatus: receipt.stat,
                              errorCode: receipt.err.flatMap { $0 == "000" ? nil : $0 }, reportedAt: receipt.doneAt)]
    }
}

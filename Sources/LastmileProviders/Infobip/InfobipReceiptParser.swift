import Foundation
import HTTP
import LastmileBase
import LastmileCore

/// Infobip's delivery reports: `results[]` with `messageId`, `status.groupName`, `error`, `callbackData`.
/// https://www.infobip.com/docs/api/channels/sms/sms-messaging/logs-and-status-reports/receive-outbound-sms-message-report
struct InfobipReceiptParser: ReceiptParser {
    func receipts(from request: HTTPRequest) throws(ReportError) -> [ParsedReceipt] {
        guard case .json(let object) = try ReportFields.read(request),
              case .array(let results)? = object.value(at: "results"), !results.isEmpty else {
            throw .malformed("results is missing")
        }
        return try results.map { result throws(ReportError) -> ParsedReceipt in
            guard let id = result.value(at: "messageId")?.text else { throw .malformed("messageId is missing") }
            guard let group = result.value(at: "status.groupName")?.text else { throw .malformed("status.groupName is missing") }
            let error = result.value(at: "error.id")?.text
            return ParsedReceipt(messageID: id, token: result.value(at: "callbackData")?.text.flatMap(Token.init),
                                 status: ReceiptStatusTable.infobip.status(for: group),
                                 rawStatus: result.value(at: "status.name")?.text ?? group,
                                 errorCode: error == "0" ? nil : error,
                                 reportedAt: result.value(at: "doneAt")?.text.flatMap(Timestamps.parse))
        }
    }
}

extension ReceiptStatusTable {
    /// Infobip's status groups.
    public static let infobip = ReceiptStatusTable(provider: "infobip", [
        ("pending", .pending), ("delivered", .delivered), ("undeliverable", .undelivered), ("expired", .expired),
        ("rejected", .rejected),
    ])
}

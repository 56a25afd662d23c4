import Foundation
import HTTP
import LastmileBase
import LastmileCore

/// Infobip's delivery reports: `results[]` with `messageId`, `status.groupName`, `error`, `callbackData`.
/// https://www.infobip.com/docs/api/channels/sms/sms-messaging/logs-and-status-reports/receive-outbound-sms-message-report
struct InfobipReceiptParser: ReceiptParser {
    func receipts(from request: HTTPRequest) throws(ReportError) -> [ParsedReceipt] {
        guard case .json(let object) = try ReportFields.read(request),
              let results = JSONPath.value(in: object, at: "results") as? [Any], !results.isEmpty else {
            throw .malformed("results is missing")
        }
        return try results.map { result throws(ReportError) -> ParsedReceipt in
            guard let id = JSONPath.string(in: result, at: "messageId") else { throw .malformed("messageId is missing") }
            guard let group = JSONPath.string(in: result, at: "status.groupName") else { throw .malformed("status.groupName is missing") }
            let error = JSONPath.string(in: result, at: "error.id")
            return ParsedReceipt(messageID: id, token: JSONPath.string(in: result, at: "callbackData").flatMap(Token.init),
                                 status: ReceiptStatusTable.infobip.status(for: group),
                                 rawStatus: JSONPath.string(in: result, at: "status.name") ?? group,
                                 errorCode: error == "0" ? nil : error,
                                 reportedAt: JSONPath.string(in: result, at: "doneAt").flatMap(Timestamps.parse))
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

import Foundation
import HTTP
import LastmileBase
import LastmileConfig
import LastmileCore

/// The generic receipt `{"message_id": …, "status": …, "error_code": …}` (JSON, form
/// or query), with the field paths and status words of an `http` route when it has them.
struct GenericReceiptParser: ReceiptParser {
    let messageIDPath: String
    let statusPath: String
    let errorCodePath: String
    let delivered: [String]
    let failed: [String]

    init(specification: HTTPRouteSpecification?) {
        messageIDPath = specification?.receiptMessageID ?? "message_id"
        statusPath = specification?.receiptStatus ?? "status"
        errorCodePath = specification?.receiptErrorCode ?? "error_code"
        delivered = specification?.delivered ?? ["delivered", "DELIVRD"]
        failed = specification?.failed ?? ["failed", "undelivered", "UNDELIV", "REJECTD", "EXPIRED"]
    }

    func receipts(from request: HTTPRequest) throws(ReportError) -> [ParsedReceipt] {
        let fields = try ReportFields.read(request)
        let token = canaryToken(request, fields, reference: "reference", "token")
        let messageID = fields.string(messageIDPath)
        guard messageID != nil || token != nil else { throw .malformed("\(messageIDPath) is missing") }
        guard let word = fields.string(statusPath), !word.isEmpty else { throw .malformed("\(statusPath) is missing") }
        return [ParsedReceipt(messageID: messageID, token: token, status: status(for: word), rawStatus: word,
                              errorCode: fields.string(errorCodePath),
                              reportedAt: fields.first("done_at", "reported_at").flatMap(Timestamps.parse))]
    }

    func status(for word: String) -> ReceiptStatus {
        if delivered.contains(where: { $0.caseInsensitiveCompare(word) == .orderedSame }) { return .delivered }
        let smpp = ReceiptStatusTable.smpp.status(for: word)
        if failed.contains(where: { $0.caseInsensitiveCompare(word) == .orderedSame }) {
            return smpp.isFailure ? smpp : .failed
        }
        if smpp != .unknown { return smpp }
        return ReceiptStatus(rawValue: word.lowercased()) ?? .unknown
    }
}

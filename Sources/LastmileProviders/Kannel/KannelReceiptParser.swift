import Foundation
import HTTP
import LastmileBase
import LastmileCore

/// Kannel's dlr-url: our `?canary=…&status=%d&answer=%A&at=%T`. The status is Kannel's
/// DLR type; the SMSC's answer, when it is an SMPP receipt text, gives the final word.
struct KannelReceiptParser: ReceiptParser {
    func receipts(from request: HTTPRequest) throws(ReportError) -> [ParsedReceipt] {
        let fields = try ReportFields.read(request)
        guard let type = fields.first("status") else { throw .malformed("status (the %d DLR type) is missing") }
        guard Int(type) != nil else { throw .malformed("status must be Kannel's numeric DLR type") }
        let token = canaryToken(request, fields)
        let smpp = fields.first("answer").flatMap(SMPPReceiptText.init)
        guard token != nil || smpp != nil else { throw .malformed("no canary token and no SMPP receipt to match by") }
        let status = smpp.map { ReceiptStatusTable.smpp.status(for: $0.stat) } ?? ReceiptStatusTable.kannel.status(for: type)
        return [ParsedReceipt(messageID: smpp?.id, token: token, status: status, rawStatus: smpp?.stat ?? "dlr-\(type)",
                              errorCode: smpp?.err.flatMap { $0 == "000" ? nil : $0 },
                              reportedAt: fields.first("at").flatMap { Timestamps.epoch($0) })]
    }
}

extension ReceiptStatusTable {
    /// Kannel's `%d` DLR types (a bit mask; one bit per report).
    public static let kannel = ReceiptStatusTable(provider: "kannel", [
        ("1", .delivered), ("2", .undelivered), ("4", .pending), ("8", .pending), ("16", .rejected),
    ])
}

import Foundation
import HTTP
import LastmileConfig
import LastmileCore

/// A delivery report as a provider sent it, normalised.
public struct ParsedReceipt: Sendable, Hashable {
    public var messageID: String?
    public var token: Token?
    public var status: ReceiptStatus
    public var rawStatus: String
    public var errorCode: String?
    public var reportedAt: Date?

    public init(messageID: String?, token: Token? = nil, status: ReceiptStatus, rawStatus: String,
                errorCode: String? = nil, reportedAt: Date? = nil) {
        self.messageID = messageID
        self.token = token
        self.status = status
        self.rawStatus = rawStatus
        self.errorCode = errorCode
        self.reportedAt = reportedAt
    }
}

/// Reads one provider's delivery reports.
public protocol ReceiptParser: Sendable {
    /// The receipts in a request (usually one); a malformed report is an error.
    func receipts(from request: HTTPRequest) throws(ReportError) -> [ParsedReceipt]
}

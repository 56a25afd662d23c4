import Foundation

/// A delivery report from a provider, already parsed and normalised.
public struct ReceiptReport: Hashable, Sendable {
    /// Opaque id the caller gives the stored report, echoed back when it is matched.
    public var reference: Int64
    /// The route whose hook received it.
    public var route: String
    /// The provider's message id, when the report has one.
    public var providerMessageID: String?
    /// The token, when the provider echoes a reference field.
    public var token: Token?
    public var status: ReceiptStatus
    /// The provider's own status word.
    public var rawStatus: String
    public var errorCode: String?
    /// When the provider says the status happened.
    public var reportedAt: Date?
    /// When Lastmile ingested the report.
    public var ingestedAt: Date

    public init(reference: Int64 = 0, route: String, providerMessageID: String?, token: Token? = nil,
                status: ReceiptStatus, rawStatus: String, errorCode: String? = nil,
                reportedAt: Date? = nil, ingestedAt: Date) {
        self.reference = reference
        self.route = route
        self.providerMessageID = providerMessageID
        self.token = token
        self.status = status
        self.rawStatus = rawStatus
        self.errorCode = errorCode
        self.reportedAt = reportedAt
        self.ingestedAt = ingestedAt
    }
}

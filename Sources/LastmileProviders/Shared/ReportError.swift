import HTTP

/// Why an inbound report was refused: the status to answer and a short reason.
public struct ReportError: Error, Sendable, Hashable, CustomStringConvertible {
    public var status: HTTPStatus
    public var reason: String

    public init(_ status: HTTPStatus, _ reason: String) {
        self.status = status
        self.reason = reason
    }

    public static func malformed(_ reason: String) -> ReportError { ReportError(.badRequest, reason) }

    public var description: String { "\(status.code) \(reason)" }
}

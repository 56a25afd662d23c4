/// A request the server must refuse, with the status to answer and why.
public struct HTTPParseError: Error, Hashable, Sendable, CustomStringConvertible {
    public var status: HTTPStatus
    public var reason: String

    public init(_ status: HTTPStatus, _ reason: String) {
        self.status = status
        self.reason = reason
    }

    public var description: String { "\(status.code): \(reason)" }
}

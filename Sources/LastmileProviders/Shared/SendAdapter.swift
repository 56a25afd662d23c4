import Foundation
import HTTP
import LastmileConfig
import LastmileCore

/// Turns a canary into a provider's API request and the provider's answer into a `SubmitAnswer`.
///
/// Adapters are pure: the daemon sends the request (never retried: a send is not
/// safe to repeat) and hands back whatever came.
public protocol SendAdapter: Sendable {
    /// The request that sends `message`.
    func request(for message: OutboundMessage) throws(SendAdapterError) -> HTTPClient.Request
    /// The normalised answer to an HTTP response.
    func answer(status: Int, body: Data) -> SubmitAnswer
}

/// A send that cannot even be built (a template names a missing value).
public struct SendAdapterError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension SendAdapter {
    /// The normalised answer to an HTTP response, bounded for the log and the store
    /// (`SubmitAnswer.bounded`): what the daemon records.
    public func recordedAnswer(status: Int, body: Data) -> SubmitAnswer {
        answer(status: status, body: body).bounded()
    }

    /// The answer when no HTTP response came at all.
    public func answer(failure: HTTPClient.Failure) -> SubmitAnswer {
        SubmitAnswer(outcome: .error, reason: failure == .timedOut ? "timed out" : "transport error: \(failure)")
    }
}

/// Sorts an HTTP status into the normalised outcome when the body says nothing better.
enum StatusOutcome {
    static func outcome(for status: Int) -> SubmitOutcome {
        switch status {
        case 200..<300: return .accepted
        case 400..<500 where status != 408 && status != 429: return .rejected
        default: return .error
        }
    }
}

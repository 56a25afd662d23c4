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
    /// The answer when no HTTP response came at all.
    public func answer(failure: HTTPClient.Failure) -> SubmitAnswer {
        SubmitAnswer(outcome: .error, reason: failure == .timedOut ? "timed out" : "transport error: \(failure)")
    }
}

/// The adapter for each provider.
public enum SendAdapters {
    /// The adapter for `route`, or nil for a provider not supported yet.
    public static func adapter(for route: RouteConfiguration, timeout: Double = 15) -> (any SendAdapter)? {
        switch route.provider {
        case .twilio: return TwilioSendAdapter(route: route, timeout: timeout)
        case .vonage: return VonageSendAdapter(route: route, timeout: timeout)
        case .plivo: return PlivoSendAdapter(route: route, timeout: timeout)
        case .telnyx: return TelnyxSendAdapter(route: route, timeout: timeout)
        case .sinch: return SinchSendAdapter(route: route, timeout: timeout)
        case .infobip: return InfobipSendAdapter(route: route, timeout: timeout)
        case .messagebird: return MessageBirdSendAdapter(route: route, timeout: timeout)
        case .kannel: return KannelSendAdapter(route: route, timeout: timeout)
        case .http: return route.http.map { GenericHTTPSendAdapter(route: route, specification: $0, timeout: timeout) }
        }
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

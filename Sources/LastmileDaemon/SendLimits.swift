import Foundation
import Synchronization

/// Per-route limits on sending: how many sends may be in flight at once, and how
/// many canaries a route may send per UTC day.
public final class SendLimits: Sendable {
    private struct State {
        var inFlight: [String: Int] = [:]
        var sentToday: [String: Int] = [:]
        var day: Int = -1
    }

    private let state = Mutex(State())

    public init() {}

    /// Starts the day's counts from the store (after a restart).
    public func seedSentToday(_ counts: [String: Int], day: Int) {
        state.withLock { state in
            state.day = day
            state.sentToday = counts
        }
    }

    /// The UTC day number of `date`.
    public static func day(of date: Date) -> Int { Int(floor(date.timeIntervalSince1970 / 86_400)) }

    /// The start of the UTC day of `date`.
    public static func startOfDay(_ date: Date) -> Date { Date(timeIntervalSince1970: Double(day(of: date)) * 86_400) }

    /// Takes a send slot for `route`, or says why not. Call `release` when the send ends.
    public func acquire(route: String, concurrency: Int, dailyCap: Int?, at time: Date) -> SkipReason? {
        state.withLock { state in
            let today = Self.day(of: time)
            if today != state.day {
                state.day = today
                state.sentToday = [:]
            }
            if state.inFlight[route, default: 0] >= concurrency { return .concurrency }
            if let dailyCap, state.sentToday[route, default: 0] >= dailyCap { return .dailyCap }
            state.inFlight[route, default: 0] += 1
            state.sentToday[route, default: 0] += 1
            return nil
        }
    }

    public func release(route: String) {
        state.withLock { $0.inFlight[route, default: 1] -= 1 }
    }

    /// Sends in flight across all routes.
    public var inFlightTotal: Int { state.withLock { $0.inFlight.values.reduce(0, +) } }
}

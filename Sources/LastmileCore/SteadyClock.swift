import Foundation
import Synchronization

/// Wall-clock time that never jumps: it starts at the real time and then advances with
/// the monotonic clock, so durations between its readings stay right when the system
/// clock is stepped back or forward (NTP, a mistaken `date -s`). Times from elsewhere
/// (a socket's arrival stamp, in real time) are mapped onto it with `instant(fromReal:)`.
public final class SteadyClock: WallClock {
    private let real: @Sendable () -> Date
    private let monotonic: @Sendable () -> Double
    private let anchor: (real: Date, monotonic: Double)

    /// `real` and `monotonic` are injectable for tests; by default the system's clocks.
    public init(real: @escaping @Sendable () -> Date = { Date() },
                monotonic: @escaping @Sendable () -> Double = { SteadyClock.systemMonotonic() }) {
        self.real = real
        self.monotonic = monotonic
        anchor = (real(), monotonic())
    }

    public var now: Date { anchor.real.addingTimeInterval(monotonic() - anchor.monotonic) }

    /// A real-time instant (taken moments ago) expressed on the steady timeline.
    public func instant(fromReal stamp: Date) -> Date? {
        now.addingTimeInterval(-real().timeIntervalSince(stamp))
    }

    /// Seconds on CLOCK_MONOTONIC.
    public static func systemMonotonic() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

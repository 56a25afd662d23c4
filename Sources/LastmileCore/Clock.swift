import Foundation
import Synchronization

/// A source of wall-clock time. `LastmileCore` reads time only through this,
/// so tests can run simulated days in milliseconds.
public protocol WallClock: Sendable {
    /// The current instant.
    var now: Date { get }
    /// A stamp taken moments ago in the machine's real time (the kernel's arrival time of a
    /// packet) as an instant on this clock; nil for a clock that does not follow the machine's
    /// time, such as a simulation's, to which such stamps mean nothing.
    func instant(fromReal stamp: Date) -> Date?
}

/// The real clock of the machine.
public struct SystemClock: WallClock {
    public init() {}
    public var now: Date { Date() }
    public func instant(fromReal stamp: Date) -> Date? { stamp }
}

/// A clock that moves only when told to; for tests and simulations.
public final class ManualClock: WallClock {
    private let current: Mutex<Date>

    /// Creates a clock stopped at `start`.
    public init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        current = Mutex(start)
    }

    public var now: Date { current.withLock { $0 } }

    /// Nil: a manual clock has no relation to the machine's time.
    public func instant(fromReal stamp: Date) -> Date? { nil }

    /// Moves the clock forward (or backward, for a negative interval).
    public func advance(by interval: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(interval) }
    }

    /// Sets the clock to an exact instant.
    public func set(_ date: Date) {
        current.withLock { $0 = date }
    }
}

import Synchronization

/// Lets through at most `limit` lines of one kind per `window` and counts the rest, for lines a
/// stranger can cause (a refused hook): a flood of them must not make the event loops wait on
/// the log, nor bury everything else in it.
public final class LogThrottle: Sendable {
    private struct Window {
        var start: ContinuousClock.Instant
        var written: Int
        var held: Int
    }

    private let limit: Int
    private let window: Duration
    /// Keyed by kinds the code names (a message), so the table stays small.
    private let windows = Mutex<[String: Window]>([:])

    public init(limit: Int = 20, per window: Duration = .seconds(10)) {
        self.limit = limit
        self.window = window
    }

    /// Nil when a line of `kind` is to be held back now; otherwise how many of its kind were held
    /// back since the last one written (for the line to say so).
    public func admit(_ kind: String, at now: ContinuousClock.Instant = .now) -> Int? {
        windows.withLock { windows in
            var current = windows[kind] ?? Window(start: now, written: 0, held: 0)
            if now - current.start >= window { current = Window(start: now, written: 0, held: current.held) }
            defer { windows[kind] = current }
            guard current.written < limit else {
                current.held += 1
                return nil
            }
            let held = current.held
            current.written += 1
            current.held = 0
            return held
        }
    }
}

extension Logger {
    /// Writes a warning unless `throttle` holds lines of its kind back now; a line written after
    /// some were held back says how many (`held_back`).
    public func warning(_ message: String, throttledBy throttle: LogThrottle, _ fields: @autoclosure () -> [(String, String)] = []) {
        guard Level.warning >= minimum, let held = throttle.admit(message) else { return }
        warning(message, fields() + (held > 0 ? [("held_back", String(held))] : []))
    }
}

import Foundation
import LastmileBase
import LastmileConfig

/// Fires each enabled probe on its interval, with jitter.
///
/// First runs are spread at random over each probe's interval, so a start (or a
/// restart after downtime) never sends a burst; slots missed while the process
/// was stalled are skipped, not caught up. Firing only starts sends: a provider
/// that hangs holds its own send, never the schedule.
public final class Scheduler: Sendable {
    /// What the scheduler needs from the daemon.
    public struct Hooks: Sendable {
        /// The configuration in force now.
        public var context: @Sendable () -> DaemonContext
        /// Called when a probe is due, with how many seconds after its due time it fired; must return at once.
        public var fire: @Sendable (ProbeConfiguration, DaemonContext, TimeInterval) -> Void
        /// Called on every pass of the loop (systemd's watchdog).
        public var heartbeat: @Sendable () -> Void
        /// Told how late each run fired, in seconds.
        public var lateness: (@Sendable (Double) -> Void)?

        public init(context: @escaping @Sendable () -> DaemonContext, fire: @escaping @Sendable (ProbeConfiguration, DaemonContext, TimeInterval) -> Void,
                    heartbeat: @escaping @Sendable () -> Void, lateness: (@Sendable (Double) -> Void)? = nil) {
            self.context = context
            self.fire = fire
            self.heartbeat = heartbeat
            self.lateness = lateness
        }
    }

    let hooks: Hooks
    /// The longest the loop sleeps, so reloads and stops are noticed promptly.
    let tick: Duration

    public init(hooks: Hooks, tick: Duration = .milliseconds(250)) {
        self.hooks = hooks
        self.tick = tick
    }

    /// Runs until the task is cancelled.
    public func run() async {
        var schedule = ProbeSchedule()
        var generator = SystemRandomNumberGenerator()
        let origin = ContinuousClock.now
        func seconds(_ instant: ContinuousClock.Instant) -> Double { origin.duration(to: instant).timeInterval }
        while !Task.isCancelled {
            let context = hooks.context()
            let probes = context.configuration.probes.filter(\.enabled)
            let now = seconds(.now)
            schedule.update(probes, now: now, using: &generator)
            for (probe, due) in schedule.takeDueWithTimes(probes, now: now, using: &generator) {
                hooks.fire(probe, context, max(0, seconds(.now) - due))
                hooks.lateness?(seconds(.now) - due)
            }
            hooks.heartbeat()
            let wake = min(schedule.nextDue ?? .infinity, seconds(.now) + tick.timeInterval)
            try? await Task.sleep(until: origin.advanced(by: .seconds(wake)), clock: .continuous)
        }
    }
}

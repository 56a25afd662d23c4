import Foundation
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
        /// Called when a probe is due; must return at once.
        public var fire: @Sendable (ProbeConfiguration, DaemonContext) -> Void
        /// Called on every pass of the loop (systemd's watchdog).
        public var heartbeat: @Sendable () -> Void

        public init(context: @escaping @Sendable () -> DaemonContext, fire: @escaping @Sendable (ProbeConfiguration, DaemonContext) -> Void,
                    heartbeat: @escaping @Sendable () -> Void) {
            self.context = context
            self.fire = fire
            self.heartbeat = heartbeat
        }
    }

    struct Slot {
        var interval: TimeInterval
        var jitter: TimeInterval
        /// The nominal time of the next run (without jitter).
        var nominal: ContinuousClock.Instant
        /// When it actually runs.
        var due: ContinuousClock.Instant
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
        var slots: [String: Slot] = [:]
        var generator = SystemRandomNumberGenerator()
        while !Task.isCancelled {
            let context = hooks.context()
            let now = ContinuousClock.now
            let probes = context.configuration.probes.filter(\.enabled)
            slots = slots.filter { name, _ in probes.contains { $0.name == name } }
            for probe in probes {
                if let slot = slots[probe.name], slot.interval == probe.interval, slot.jitter == probe.jitter { continue }
                let offset = Double.random(in: 0..<probe.interval, using: &generator)
                let nominal = now.advanced(by: .seconds(offset))
                slots[probe.name] = Slot(interval: probe.interval, jitter: probe.jitter, nominal: nominal,
                                         due: nominal.advanced(by: .seconds(Double.random(in: 0...probe.jitter, using: &generator))))
            }
            for probe in probes {
                guard var slot = slots[probe.name], slot.due <= now else { continue }
                hooks.fire(probe, context)
                repeat {
                    slot.nominal = slot.nominal.advanced(by: .seconds(slot.interval))
                } while slot.nominal <= now
                slot.due = slot.nominal.advanced(by: .seconds(Double.random(in: 0...slot.jitter, using: &generator)))
                slots[probe.name] = slot
            }
            hooks.heartbeat()
            let next = slots.values.map(\.due).min() ?? now.advanced(by: tick)
            let wake = min(next, ContinuousClock.now.advanced(by: tick))
            try? await Task.sleep(until: wake, clock: .continuous)
        }
    }
}

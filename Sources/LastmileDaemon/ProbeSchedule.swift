import LastmileConfig

/// When each probe runs next: pure, on a monotonic time axis in seconds.
///
/// A new probe's first run falls at random within its interval, so a start never
/// bursts; later runs keep to a nominal grid of intervals with up to `jitter`
/// added, and grid slots already past (the process stalled) are skipped.
struct ProbeSchedule {
    struct Slot: Equatable {
        var interval: Double
        var jitter: Double
        var nominal: Double
        var due: Double
    }

    private(set) var slots: [String: Slot] = [:]

    /// Adds new probes, drops removed ones, and restarts those whose timing changed.
    mutating func update<G: RandomNumberGenerator>(_ probes: [ProbeConfiguration], now: Double, using generator: inout G) {
        slots = slots.filter { name, _ in probes.contains { $0.name == name } }
        for probe in probes {
            if let slot = slots[probe.name], slot.interval == probe.interval, slot.jitter == probe.jitter { continue }
            let nominal = now + Double.random(in: 0..<probe.interval, using: &generator)
            slots[probe.name] = Slot(interval: probe.interval, jitter: probe.jitter, nominal: nominal,
                                     due: nominal + Double.random(in: 0...probe.jitter, using: &generator))
        }
    }

    /// The probes due at `now`, each moved to its next slot.
    mutating func takeDue<G: RandomNumberGenerator>(_ probes: [ProbeConfiguration], now: Double, using generator: inout G) -> [ProbeConfiguration] {
        takeDueWithTimes(probes, now: now, using: &generator).map(\.probe)
    }

    /// The probes due at `now` with the time each was due, each moved to its next slot.
    mutating func takeDueWithTimes<G: RandomNumberGenerator>(_ probes: [ProbeConfiguration], now: Double,
                                                            using generator: inout G) -> [(probe: ProbeConfiguration, due: Double)] {
        var due: [(probe: ProbeConfiguration, due: Double)] = []
        for probe in probes {
            guard var slot = slots[probe.name], slot.due <= now else { continue }
            due.append((probe, slot.due))
            repeat { slot.nominal += slot.interval } while slot.nominal <= now
            slot.due = slot.nominal + Double.random(in: 0...slot.jitter, using: &generator)
            slots[probe.name] = slot
        }
        return due
    }

    /// The earliest time any probe is due.
    var nextDue: Double? { slots.values.map(\.due).min() }
}

import Foundation

/// How soon the sequential detector pages when a route × carrier starts losing accepted
/// canaries, and how often it pages on one that does not: the real `SequentialDetector` over
/// simulated time.
///
/// Canaries go out evenly spaced from a phase the seed picks; each is lost with the rate in
/// force when it was sent, and settles as lost at its deadline; the others arrive after a
/// log-normal latency (median `medianLatency`, 99th percentile `p99Latency`). The detector is
/// evaluated every `evaluationInterval`, as the daemon does. The same seed gives the same answer.
public struct SequentialDetectionSimulation: Sendable {
    public var settings: DetectionSettings
    public var canariesPerHour: Double
    public var deadline: TimeInterval
    public var evaluationInterval: TimeInterval
    public var medianLatency: TimeInterval
    public var p99Latency: TimeInterval

    public init(settings: DetectionSettings = .standard, canariesPerHour: Double, deadline: TimeInterval = 900,
                evaluationInterval: TimeInterval = 30, medianLatency: TimeInterval = 4, p99Latency: TimeInterval = 60) {
        self.settings = settings
        self.canariesPerHour = canariesPerHour
        self.deadline = deadline
        self.evaluationInterval = evaluationInterval
        self.medianLatency = medianLatency
        self.p99Latency = p99Latency
    }

    /// Seconds from the moment the loss rate jumps from `baseline` to `lossRate` (after `warmUp`
    /// at the baseline) until the first page; nil when nothing paged within `horizon`.
    /// A false page during the warm-up is let resolve and does not count.
    public func timeToPage(baseline: Double, lossRate: Double, warmUp: TimeInterval = 86_400, horizon: TimeInterval,
                           seed: UInt64) -> TimeInterval? {
        var onset: TimeInterval?
        run(until: warmUp + horizon, seed: seed, lossRate: { $0 < warmUp ? baseline : lossRate }) { time, _ in
            guard time >= warmUp else { return true }
            onset = time - warmUp
            return false
        }
        return onset
    }

    /// How many separate pages a stream losing `lossRate` steadily raises over `duration`.
    public func pages(lossRate: Double, duration: TimeInterval, seed: UInt64) -> Int {
        var count = 0
        run(until: duration, seed: seed, lossRate: { _ in lossRate }) { _, _ in
            count += 1
            return true
        }
        return count
    }

    /// Runs the stream, calling `onPage` at each page's onset; stops when it returns false.
    private func run(until end: TimeInterval, seed: UInt64, lossRate: (TimeInterval) -> Double,
                     onPage: (TimeInterval, SequentialDetector.Reading) -> Bool) {
        var detector = SequentialDetector(settings: settings, canariesPerHour: canariesPerHour)
        var random = SeededRandom(seed: seed)
        let spacing = 3_600 / canariesPerHour
        let sigma = log(p99Latency / medianLatency) / 2.326_348
        var nextSend = Double.random(in: 0..<spacing, using: &random)
        var events = DeadlineQueue<(ticket: Int, latency: Double?)>()
        var firing = false
        var changed = true
        var now = 0.0
        while now <= end {
            while nextSend <= now {
                let ticket = detector.sent(at: Date(timeIntervalSince1970: nextSend))
                if random.chance(lossRate(nextSend)) {
                    events.insert((ticket, nil), at: Date(timeIntervalSince1970: nextSend + deadline))
                } else {
                    let latency = medianLatency * exp(sigma * Self.normal(&random))
                    events.insert((ticket, latency), at: Date(timeIntervalSince1970: nextSend + min(latency, deadline * 0.99)))
                }
                nextSend += spacing
                changed = true
            }
            while let event = events.popDue(at: Date(timeIntervalSince1970: now)) {
                detector.record(event.id.ticket, event.id.latency == nil ? .failed : .arrived, latency: event.id.latency, at: event.at)
                changed = true
            }
            // With nothing new and nothing on its way, an evaluation could not change a thing.
            if changed || !events.isEmpty || firing {
                let reading = detector.evaluate(at: Date(timeIntervalSince1970: now))
                if reading.firing && !firing, !onPage(now, reading) { return }
                firing = reading.firing
                changed = false
            }
            now += evaluationInterval
        }
    }

    private static func normal(_ random: inout SeededRandom) -> Double {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &random), v = Double.random(in: 0..<1, using: &random)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
}

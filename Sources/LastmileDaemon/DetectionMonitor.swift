import Foundation
import LastmileConfig
import LastmileCore
import Synchronization

/// The sequential detectors of the running daemon: fed with every canary state the engine
/// commits, evaluated by the alert loop, read by `/metrics`.
public final class DetectionMonitor: Sendable {
    private let board: Mutex<DetectionBoard>
    private let latest = Mutex<DetectionBoard.Evaluation?>(nil)

    public init(_ configuration: LastmileConfiguration) {
        board = Mutex(DetectionBoard(settings: configuration.detectionSettings))
        configure(configuration)
    }

    /// Forgets all evidence, as a new leader does before taking back the store's.
    public func reset(_ configuration: LastmileConfiguration) {
        board.withLock { $0 = DetectionBoard(settings: configuration.detectionSettings) }
        latest.withLock { $0 = nil }
        configure(configuration)
    }

    /// Takes the probe rates and receivers' carriers of `configuration` (at start and on reload).
    public func configure(_ configuration: LastmileConfiguration) {
        var rates: [DetectionBoard.Cell: Double] = [:]
        for probe in configuration.probes where probe.enabled && probe.interval > 0 {
            for receiver in probe.receivers { rates[DetectionBoard.Cell(route: probe.route, receiver: receiver), default: 0] += 3_600 / probe.interval }
        }
        let carriers = Dictionary(configuration.receivers.map { ($0.name, $0.carrier) }, uniquingKeysWith: { first, _ in first })
        let settings = configuration.detectionSettings
        board.withLock { board in
            board.settings = settings
            board.configure(rates: rates, carriers: carriers)
        }
    }

    /// Counts what a committed correlator step changed.
    public func record(_ result: CorrelationResult, at now: Date) {
        guard !result.changed.isEmpty else { return }
        board.withLock { board in for canary in result.changed { board.observe(canary, at: now) } }
    }

    /// How far back the detectors' evidence reaches, for what a start replays.
    public var history: TimeInterval { board.withLock { $0.settings.history } }

    /// Takes back the evidence of a start, in place of all the board held: canaries settled
    /// before it and those still in flight (a canary `inFlight` with a verdict, settled by the
    /// recovery, is among `settled` already), merged in the order they were sent.
    public func restore(settled: [DetectionRecord], inFlight: [Canary], at now: Date) {
        let flying = inFlight.filter { $0.verdict == nil }.sorted { $0.submitStartedAt < $1.submitStartedAt }
        board.withLock { board in
            // A recovery after a failed write comes with the board still holding what it replays.
            board = board.withoutEvidence()
            var next = flying.startIndex
            for record in settled {
                while next < flying.endIndex, flying[next].submitStartedAt < record.sentAt {
                    board.observe(flying[next], at: now)
                    next += 1
                }
                board.replay(record)
            }
            for canary in flying[next...] { board.observe(canary, at: now) }
        }
    }

    /// Every detector at `now`, blame decided.
    public func evaluate(at now: Date) -> DetectionBoard.Evaluation {
        // Thresholds take milliseconds each: computed outside the lock the engine takes per report.
        let needed = board.withLock { $0.thresholdsNeeded(at: now) }
        if !needed.isEmpty {
            ThresholdTable.shared.prepare(needed)
            // Searches come again only when a healthy rate moves: their bands leave meanwhile.
            CUSUMRunLength.releaseBandStorage()
        }
        let evaluation = board.withLock { $0.evaluate(at: now) }
        latest.withLock { $0 = evaluation }
        return evaluation
    }

    /// Each test's statistic and threshold, the pages held back, and the receivers and
    /// carriers blamed, as of the last evaluation: what Prometheus rules alert on.
    public func families() -> [MetricFamily] {
        var statistic: [MetricLabels: Double] = [:], threshold: [MetricLabels: Double] = [:]
        var held: [MetricLabels: Double] = [:], silent: [MetricLabels: Double] = [:], carriers: [MetricLabels: Double] = [:]
        if let evaluation = latest.withLock({ $0 }) {
            for (pair, reading) in evaluation.pairs {
                let base: MetricLabels = ["route": pair.route, "carrier": pair.carrier]
                for test in reading.statistics {
                    let labels = base.adding("jump", PrometheusRules.number(test.jump))
                    statistic[labels] = test.value
                    threshold[labels] = test.threshold
                }
                let page = evaluation.pages.first { $0.pair == pair }
                held[base] = page.map { $0.state == .firing ? 0 : 1 } ?? 0
            }
            for (receiver, carrier) in board.withLock({ $0.receiverCarriers }) {
                silent[["receiver": receiver, "carrier": carrier]] = 0
                carriers[["carrier": carrier]] = 0
            }
            for receiver in evaluation.silentReceivers { silent[["receiver": receiver.receiver, "carrier": receiver.carrier]] = 1 }
            for loss in evaluation.carrierLosses { carriers[["carrier": loss.carrier]] = 1 }
        }
        return [
            MetricDefinition.detectorStatistic.family(statistic), MetricDefinition.detectorThreshold.family(threshold),
            MetricDefinition.detectorHeldBack.family(held), MetricDefinition.receiverSilent.family(silent),
            MetricDefinition.carrierLoss.family(carriers),
        ]
    }
}

import Foundation

/// The sequential detectors of the whole matrix — one per route × carrier, which pages, and
/// one per route × receiver, which decides what to blame — fed with every canary's state.
///
/// Blame compares across the matrix. A receiver is silent when two routes to it (or more) are
/// failing while one of those routes still delivers to another receiver, and no other route to it
/// is about to say it still hears (a canary on its way, or one due); a carrier
/// has lost when each of its receivers (two at least) is silent. Their alerts replace the
/// route pages they explain, which are held back as Alertmanager's inhibition would; a route
/// page waits while a receiver's other routes have not yet told whether it is the receiver.
public struct DetectionBoard: Sendable {
    /// A route × carrier.
    public struct Pair: Sendable, Hashable, Comparable {
        public var route: String
        public var carrier: String
        public init(route: String, carrier: String) {
            self.route = route
            self.carrier = carrier
        }
        public static func < (lhs: Pair, rhs: Pair) -> Bool { (lhs.route, lhs.carrier) < (rhs.route, rhs.carrier) }
    }

    /// A route × receiver.
    public struct Cell: Sendable, Hashable, Comparable {
        public var route: String
        public var receiver: String
        public init(route: String, receiver: String) {
            self.route = route
            self.receiver = receiver
        }
        public static func < (lhs: Cell, rhs: Cell) -> Bool { (lhs.route, lhs.receiver) < (rhs.route, rhs.receiver) }
    }

    /// What becomes of a route × carrier's page condition.
    public enum PageState: Sendable, Hashable {
        case firing
        /// Explained by a silent receiver or a carrier's loss, named here.
        case explained(by: String)
        /// Waiting for the receiver's other routes to say whether it is the receiver.
        case waiting
    }

    /// One route × carrier whose detector fires.
    public struct RoutePage: Sendable, Hashable {
        public var pair: Pair
        public var reading: SequentialDetector.Reading
        public var state: PageState
    }

    /// A receiver every route fails to reach.
    public struct SilentReceiver: Sendable, Hashable {
        public var receiver: String
        public var carrier: String
        public var routes: [String]
        public var readings: [SequentialDetector.Reading]
    }

    /// A carrier whose every receiver is silent.
    public struct CarrierLoss: Sendable, Hashable {
        public var carrier: String
        public var receivers: [String]
        public var readings: [SequentialDetector.Reading]
    }

    /// One evaluation of the whole board.
    public struct Evaluation: Sendable, Hashable {
        public var pairs: [Pair: SequentialDetector.Reading] = [:]
        public var pages: [RoutePage] = []
        public var silentReceivers: [SilentReceiver] = []
        public var carrierLosses: [CarrierLoss] = []
    }

    private struct Tickets: Sendable {
        var pair: Pair
        var cell: Cell
        var pairTicket: Int
        var cellTicket: Int
    }

    public var settings: DetectionSettings
    private var pairs: [Pair: SequentialDetector] = [:]
    private var cells: [Cell: SequentialDetector] = [:]
    private var carriers: [String: String] = [:]
    private var pairRates: [Pair: Double] = [:]
    private var cellRates: [Cell: Double] = [:]
    private var tickets: [String: Tickets] = [:]
    /// The route pages a silent receiver or a carrier's loss explained at the last evaluation,
    /// with the start of their evidence and what explained them.
    private var explained: [Pair: (since: Date?, by: String, receivers: Set<String>, at: Date)] = [:]
    /// Once configured, only configured pairs and cells have detectors.
    private var isConfigured = false

    public init(settings: DetectionSettings = .standard) {
        self.settings = settings
    }

    /// Sets the canaries per hour each route × receiver is probed at (their carrier's pair gets the
    /// sum) and the carrier of each receiver. A pair or cell no longer probed (its route or
    /// receiver removed, its probe switched off) loses its detector, so a page it raised resolves.
    public mutating func configure(rates: [Cell: Double], carriers: [String: String]) {
        self.carriers.merge(carriers) { _, new in new }
        isConfigured = true
        cellRates = rates
        pairRates = [:]
        for (cell, rate) in rates { pairRates[Pair(route: cell.route, carrier: self.carriers[cell.receiver] ?? ""), default: 0] += rate }
        pairs = pairs.filter { pairRates[$0.key] != nil }
        cells = cells.filter { cellRates[$0.key] != nil }
        // Canaries in flight on what was removed count nowhere, even if it comes back with a fresh detector.
        for (id, entry) in tickets {
            if pairs[entry.pair] == nil { tickets[id]?.pairTicket = -1 }
            if cells[entry.cell] == nil { tickets[id]?.cellTicket = -1 }
        }
        for key in pairs.keys { pairs[key]?.settings = settings }
        for key in cells.keys { cells[key]?.settings = settings }
        // Every configured pair and cell has a detector from the start, so its gauges exist before its first canary.
        for (pair, rate) in pairRates {
            if pairs[pair] == nil { pairs[pair] = SequentialDetector(settings: settings, canariesPerHour: rate) }
            pairs[pair]?.canariesPerHour = rate
        }
        for (cell, rate) in cellRates {
            if cells[cell] == nil { cells[cell] = SequentialDetector(settings: settings, canariesPerHour: rate) }
            cells[cell]?.canariesPerHour = rate
        }
    }

    /// This board as configured, without any evidence: what a start takes the store's back into.
    public func withoutEvidence() -> DetectionBoard {
        var fresh = DetectionBoard(settings: settings)
        fresh.carriers = carriers
        if isConfigured { fresh.configure(rates: cellRates, carriers: carriers) }
        return fresh
    }

    /// Each receiver and its carrier, as far as the board knows them: once configured, only the
    /// receivers some probe still reaches, so a removed one leaves `/metrics`.
    public var receiverCarriers: [String: String] {
        guard isConfigured else { return carriers }
        let probed = Set(cellRates.keys.map(\.receiver))
        return carriers.filter { probed.contains($0.key) }
    }

    /// Takes in a canary's latest state: counted when accepted for sending (states come in send
    /// order), then when it arrives, is lost, or turns out rejected.
    public mutating func observe(_ canary: Canary, at now: Date) {
        let id = canary.id
        if tickets[id] == nil {
            // A settled canary without a ticket was counted when it settled: a receipt or arrival
            // for it later (a duplicate, a receipt after the arrival) must not count it again.
            guard canary.verdict == nil else { return }
            let pair = Pair(route: canary.plan.route, carrier: canary.plan.carrier)
            let cell = Cell(route: canary.plan.route, receiver: canary.plan.receiver)
            let (pairTicket, cellTicket) = send(pair: pair, cell: cell, at: canary.submitStartedAt)
            tickets[id] = Tickets(pair: pair, cell: cell, pairTicket: pairTicket, cellTicket: cellTicket)
        }
        guard let entry = tickets[id] else { return }
        guard let outcome = DetectionRecord.outcome(verdict: canary.verdict, submit: canary.submit?.outcome,
                                                    arrived: canary.arrival != nil) else { return }
        let latency = outcome == .arrived ? canary.arrival?.latency : nil
        if entry.pairTicket >= 0 { pairs[entry.pair]?.record(entry.pairTicket, outcome, latency: latency, at: now) }
        if entry.cellTicket >= 0 { cells[entry.cell]?.record(entry.cellTicket, outcome, latency: latency, at: now) }
        if outcome == .excluded || canary.verdict != nil { tickets[id] = nil }
    }

    /// The thresholds an evaluation at `now` would compute: what a caller that holds the board
    /// under a lock computes first (`ThresholdTable.prepare`), outside it.
    public func thresholdsNeeded(at now: Date) -> Set<ThresholdTable.Request> {
        var needed = Set<ThresholdTable.Request>()
        for detector in pairs.values { needed.formUnion(detector.thresholdsNeeded(at: now)) }
        for detector in cells.values { needed.formUnion(detector.thresholdsNeeded(at: now)) }
        return needed
    }

    /// Takes in a canary settled before a start, in send order with the others.
    public mutating func replay(_ record: DetectionRecord) {
        let pair = Pair(route: record.route, carrier: record.carrier)
        let cell = Cell(route: record.route, receiver: record.receiver)
        let (pairTicket, cellTicket) = send(pair: pair, cell: cell, at: record.sentAt)
        if pairTicket >= 0 { pairs[pair]?.record(pairTicket, record.outcome, latency: record.latency, at: record.decidedAt) }
        if cellTicket >= 0 { cells[cell]?.record(cellTicket, record.outcome, latency: record.latency, at: record.decidedAt) }
    }

    /// Counts a canary sent over `pair` and `cell`, creating their detectors on first use.
    private mutating func send(pair: Pair, cell: Cell, at sentAt: Date) -> (pair: Int, cell: Int) {
        carriers[cell.receiver] = pair.carrier
        // A canary of a pair or cell no longer configured (one still in flight, or history) counts nowhere.
        let pairTicket = isConfigured && pairRates[pair] == nil ? -1
            : pairs[pair, default: SequentialDetector(settings: settings, canariesPerHour: pairRates[pair] ?? 60)].sent(at: sentAt)
        let cellTicket = isConfigured && cellRates[cell] == nil ? -1
            : cells[cell, default: SequentialDetector(settings: settings, canariesPerHour: cellRates[cell] ?? 60)].sent(at: sentAt)
        return (pairTicket, cellTicket)
    }

    /// Every detector at `now`, with blame decided across the matrix.
    public mutating func evaluate(at now: Date) -> Evaluation {
        var evaluation = Evaluation()
        for key in pairs.keys.sorted() { evaluation.pairs[key] = pairs[key]?.evaluate(at: now) }
        var cellReadings: [Cell: SequentialDetector.Reading] = [:]
        for key in cells.keys.sorted() { cellReadings[key] = cells[key]?.evaluate(at: now) }
        func failing(_ reading: SequentialDetector.Reading) -> Bool { reading.firing || reading.crossing }
        func unsure(_ reading: SequentialDetector.Reading) -> Bool { !reading.delivering && (reading.strongest?.value ?? 0) > 0 }

        var byReceiver: [String: [Cell]] = [:]
        for cell in cellReadings.keys { byReceiver[cell.receiver, default: []].append(cell) }
        var silent: [String: SilentReceiver] = [:]
        var waiting = Set<String>()
        for (receiver, toIt) in byReceiver {
            let readings = toIt.sorted().compactMap { cellReadings[$0] }
            // Failing routes that are not delivering to it now: a route still firing on what an
            // earlier silence left, whose latest canary arrived, is a sign the phone hears again.
            let failingReadings = readings.filter { failing($0) && !$0.delivering }
            guard !failingReadings.isEmpty else { continue }
            let routes = Set(toIt.map(\.route))
            let deliversElsewhere = routes.contains { route in
                cellReadings.contains { $0.key.route == route && $0.key.receiver != receiver && $0.value.delivering }
            }
            guard routes.count >= 2, deliversElsewhere else { continue }
            // Since the trouble began, has the receiver heard any route? If one did, the receiver works.
            let troubleSince = failingReadings.compactMap(\.unansweredSince).max() ?? now
            let heard = readings.contains { ($0.lastArrivalSentAt ?? .distantPast) >= troubleSince }
            guard !heard else { continue }
            let others = toIt.sorted().compactMap { cell in cellReadings[cell].flatMap { failing($0) ? nil : (cell, $0) } }
            if failingReadings.count >= 2 {
                // Two routes failing to it blame the receiver unless a route not failing is about to
                // say it still hears: one with canaries on their way, not yet overdue, or one whose
                // next canary is due within its interval.
                let aboutToTell = others.contains { cell, reading in
                    if let lastSent = reading.lastSentAt, lastSent >= troubleSince { return reading.delivering }
                    let interval = 3_600 / max(cellRates[cell] ?? 60, 1e-3)
                    return now.timeIntervalSince(troubleSince) < Self.longestBlameWait
                        && now.timeIntervalSince(reading.lastSentAt ?? .distantPast) < Self.nextCanarySlack * interval
                }
                if aboutToTell {
                    waiting.insert(receiver)
                } else {
                    silent[receiver] = SilentReceiver(receiver: receiver, carrier: carriers[receiver] ?? "", routes: routes.sorted(),
                                                      readings: readings)
                }
            } else if others.contains(where: { ($0.1.lastSentAt ?? .distantPast) >= troubleSince }) {
                // Another route has canaries on their way to it: they will tell.
                waiting.insert(receiver)
            }
        }
        var lostCarriers: [String: CarrierLoss] = [:]
        let receiversByCarrier = Dictionary(grouping: byReceiver.keys) { carriers[$0] ?? "" }
        for (carrier, receivers) in receiversByCarrier where receivers.count >= 2 && receivers.allSatisfy({ silent[$0] != nil }) {
            lostCarriers[carrier] = CarrierLoss(carrier: carrier, receivers: receivers.sorted(),
                                                readings: receivers.sorted().flatMap { silent[$0]?.readings ?? [] })
            for receiver in receivers { silent[receiver] = nil }
        }
        evaluation.silentReceivers = silent.values.sorted { $0.receiver < $1.receiver }
        evaluation.carrierLosses = lostCarriers.values.sorted { $0.carrier < $1.carrier }

        var stillExplained: [Pair: (since: Date?, by: String, receivers: Set<String>, at: Date)] = [:]
        for (pair, reading) in evaluation.pairs.sorted(by: { $0.key < $1.key }) where reading.firing {
            let troubled = cellReadings.filter { cell, cellReading in
                cell.route == pair.route && carriers[cell.receiver] == pair.carrier && (failing(cellReading) || unsure(cellReading))
            }.map(\.key.receiver).sorted()
            let state: PageState
            var explainedBy: Set<String> = []
            if let loss = lostCarriers[pair.carrier] {
                state = .explained(by: loss.carrier)
                explainedBy = Set(loss.receivers)
            } else if !troubled.isEmpty, troubled.allSatisfy({ silent[$0] != nil }) {
                state = .explained(by: troubled.joined(separator: ", "))
                explainedBy = Set(troubled)
            } else if troubled.contains(where: { waiting.contains($0) }) {
                state = .waiting
            } else if let held = explained[pair], held.since == reading.evidenceSince, Set(troubled).isSubset(of: held.receivers),
                      reading.delivering || now.timeIntervalSince(held.at) < Self.recoveryGrace {
                // What explained this page is over (the receiver is heard again), and the page's
                // evidence is what the silence left, falling back: it stays held while the route
                // delivers, and for a grace in which canaries lost in the silence still settle.
                // A route that does not deliver after that pages, and so does one failing to a
                // receiver the silence did not explain.
                state = .explained(by: held.by)
                stillExplained[pair] = held
            } else {
                state = .firing
            }
            if case .explained(let by) = state, stillExplained[pair] == nil {
                stillExplained[pair] = (reading.evidenceSince, by, explainedBy, now)
            }
            evaluation.pages.append(RoutePage(pair: pair, reading: reading, state: state))
        }
        explained = stillExplained
        return evaluation
    }

    /// How long after what explained a page is over the page stays held though its route does
    /// not deliver yet: canaries sent in the silence settle as lost until their deadline.
    public static let recoveryGrace: TimeInterval = 900

    /// How many of its intervals a route not failing to a receiver may go without sending before
    /// blame stops waiting for its next canary (a probe switched off or paused sends none).
    public static let nextCanarySlack = 1.5

    /// The longest blame waits for a route's next canary once the trouble began: a route probed
    /// daily must not hold back a silent receiver's alert (and its routes' pages) for a day.
    public static let longestBlameWait: TimeInterval = 900
}

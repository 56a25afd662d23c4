import Foundation

/// The sequential detector of one stream of canaries (a route × carrier, or a route × receiver):
/// a bank of `BernoulliCUSUM`s over its accepted canaries in send order, each counting a
/// canary when it arrives or is lost, and one still on its way by the evidence its age
/// already carries (`LatencySurvival`), corrected when it arrives.
///
/// It fires when any test reaches its threshold and resolves once every test's evidence has
/// halved and it has fired for at least as long as it took to gather the evidence, so a page
/// never resolves and fires again on the evidence that raised it. Tests are re-tuned as the
/// stream's healthy loss rate (its history while not firing, with a floor) moves.
public struct SequentialDetector: Sendable {
    /// What became of a canary.
    public enum Outcome: Sendable, Hashable { case pending, arrived, failed, excluded }

    /// One test of the bank at an instant.
    public struct Statistic: Sendable, Hashable {
        /// The loss rate the test is tuned to find.
        public var jump: Double
        /// The evidence for it, in nats.
        public var value: Double
        /// Where it signals, in nats.
        public var threshold: Double
    }

    /// The detector at an instant.
    public struct Reading: Sendable, Hashable {
        public var statistics: [Statistic]
        public var firing: Bool
        /// Whether a test is at its threshold now (firing or not).
        public var crossing: Bool
        /// The last canary with news arrived, and none sent after it is overdue.
        public var delivering: Bool
        /// When the evidence of the current or last page began.
        public var evidenceSince: Date?
        public var healthyRate: Double
        /// Lost (or overdue) and all accepted canaries sent since `evidenceSince`, or in the last hour.
        public var badEvents: Int
        public var totalEvents: Int
        /// When the latest canary that arrived was sent.
        public var lastArrivalSentAt: Date?
        /// When the latest canary that counts was sent (one the API refused does not: it will
        /// never tell whether the phone hears).
        public var lastSentAt: Date?
        /// When the first canary sent after the latest arrival was sent: since then, nothing heard.
        public var unansweredSince: Date?

        /// The test closest to (or furthest past) its threshold.
        public var strongest: Statistic? { statistics.max { $0.value / $0.threshold < $1.value / $1.threshold } }
    }

    private struct Entry: Sendable {
        var sentAt: Double
        var outcome: Outcome
    }

    private struct Member: Sendable {
        var test: BernoulliCUSUM
        var threshold: Double
        var settled = 0.0
        var runStart: Double?
    }

    /// How the bank is tuned; a change takes effect at the next evaluation.
    public var settings: DetectionSettings
    public var canariesPerHour: Double
    private let table: ThresholdTable
    private var members: [Member] = []
    private var modelHealthy = 0.0
    private var modelRate = 0.0
    private var modelSettings = DetectionSettings.standard
    /// Whether the bank has its thresholds (the first `evaluate` computes them).
    private var tuned = false
    private var entries: [Entry] = []
    private var head = 0
    private var firstTicket = 0
    private var healthy: RollingCounter
    /// Outcomes not yet `baselineLag` old (decided at, sent at, arrived), on their way into `healthy`.
    private var maturing: [(decidedAt: Double, sentAt: Double, good: Bool)] = []
    private var maturingHead = 0
    public private(set) var latency = LatencySurvival()
    public private(set) var firing = false
    private var firedAt = 0.0
    private var evidenceWindow = 0.0
    private var evidenceStart: Double?
    private var lastDecided: (sentAt: Double, arrived: Bool)?
    private var lastArrivalSentAt: Double?
    private var unansweredSince: Double?
    /// Recent decided canaries (send time, decision time, lost), for the counts a notification quotes.
    private var recent: [(sentAt: Double, decidedAt: Double, lost: Bool)] = []

    public init(settings: DetectionSettings = .standard, canariesPerHour: Double, table: ThresholdTable = .shared) {
        self.settings = settings
        self.canariesPerHour = canariesPerHour
        self.table = table
        healthy = RollingCounter(window: settings.history)
    }

    /// The thresholds this detector would need at `now` that its table has not computed yet:
    /// what a caller holding a lock computes beforehand (`ThresholdTable.prepare`), since
    /// computing one takes milliseconds.
    public func thresholdsNeeded(at now: Date) -> [ThresholdTable.Request] {
        tuning(at: now).requests.filter { table.cached($0) == nil }
    }

    /// Counts a canary accepted for sending at `sentAt` (calls come in send order); returns its ticket.
    public mutating func sent(at sentAt: Date) -> Int {
        entries.append(Entry(sentAt: sentAt.timeIntervalSince1970, outcome: .pending))
        if unansweredSince == nil { unansweredSince = sentAt.timeIntervalSince1970 }
        return firstTicket + entries.count - 1
    }

    /// Records what became of the canary of `ticket`; `latency` is its send-to-arrival time.
    /// A loss the detector has not yet folded in may still turn into an arrival. Records never
    /// compute thresholds: until the first `evaluate` tunes the bank, decided canaries wait.
    public mutating func record(_ ticket: Int, _ outcome: Outcome, latency arrival: TimeInterval? = nil, at now: Date) {
        if let arrival, outcome == .arrived { latency.record(arrival) }
        let index = ticket - firstTicket
        guard index >= head, index < entries.count, outcome != .pending else { return }
        let previous = entries[index].outcome
        guard previous == .pending || (previous == .failed && outcome == .arrived) else { return }
        entries[index].outcome = outcome
        let sentAt = entries[index].sentAt
        if outcome != .excluded {
            if previous == .pending && !firing { maturing.append((now.timeIntervalSince1970, sentAt, outcome == .arrived)) }
            if lastDecided.map({ sentAt >= $0.sentAt }) ?? true { lastDecided = (sentAt, outcome == .arrived) }
            if outcome == .arrived, lastArrivalSentAt.map({ sentAt > $0 }) ?? true {
                lastArrivalSentAt = sentAt
                unansweredSince = index + 1 < entries.count ? entries[index + 1].sentAt : nil
            }
            recent.append((sentAt, now.timeIntervalSince1970, outcome == .failed))
            if recent.count > 512 { recent.removeFirst(recent.count - 256) }
        }
        fold()
    }

    /// The bank at `now`; moves the firing state on.
    public mutating func evaluate(at now: Date) -> Reading {
        let time = now.timeIntervalSince1970
        // The first evaluation folds in what was recorded before it (a start's replay of history)
        // before anything matures into the healthy estimate: an outage in that history fires
        // there as it did live, and what it rested on is kept out of what healthy looks like.
        // (The first tuning itself still counts it, as outcomes old enough to have matured; the
        // next evaluation tunes again without them.)
        if !tuned { retune(at: now) }
        mature(at: now)
        retune(at: now)
        if !firing, head == entries.count, members.allSatisfy({ $0.settled == 0 }) {
            return Reading(statistics: members.map { Statistic(jump: $0.test.jump, value: 0, threshold: $0.threshold) }, firing: false,
                           crossing: false, delivering: lastDecided?.arrived ?? false, evidenceSince: evidenceStart.map { Date(timeIntervalSince1970: $0) },
                           healthyRate: modelHealthy, badEvents: 0, totalEvents: 0, lastArrivalSentAt: lastArrivalSentAt.map(Self.date),
                           lastSentAt: lastCountedSentAt.map(Self.date),
                           unansweredSince: unansweredSince.map(Self.date))
        }
        let tail = entries[head...]
        var overdue = false
        let steps: [(sentAt: Double, outcome: Outcome, survival: Double)] = tail.map { entry in
            let survival = entry.outcome == .pending ? latency.survival(at: time - entry.sentAt) : 0
            if entry.outcome == .pending, survival < 0.01, entry.sentAt >= (lastDecided?.sentAt ?? -.infinity) { overdue = true }
            return (entry.sentAt, entry.outcome, survival)
        }
        var statistics: [Statistic] = []
        var crossingStart: Double?
        for member in members {
            var value = member.settled
            var start = member.runStart
            for step in steps {
                let delta: Double
                switch step.outcome {
                case .arrived: delta = member.test.successStep
                case .failed: delta = member.test.failureStep
                case .excluded: continue
                case .pending: delta = member.test.overdueStep(survival: step.survival)
                }
                value = max(0, value + delta)
                if value == 0 { start = nil } else if start == nil { start = step.sentAt }
            }
            statistics.append(Statistic(jump: member.test.jump, value: value, threshold: member.threshold))
            if value >= member.threshold, crossingStart == nil { crossingStart = start ?? time }
        }
        let crossing = crossingStart != nil
        if !firing, let start = crossingStart {
            firing = true
            firedAt = time
            evidenceStart = start
            evidenceWindow = max(0, time - start)
            // What raised the page is not what healthy looks like.
            maturing = maturing[maturingHead...].filter { $0.sentAt < start }
            maturingHead = 0
            for index in members.indices { members[index].settled = min(members[index].settled, members[index].threshold) }
        } else if firing, statistics.allSatisfy({ $0.value <= $0.threshold / 2 }), time - firedAt >= evidenceWindow {
            firing = false
        }
        let since = evidenceStart.flatMap { firing ? $0 : nil } ?? time - 3_600
        var bad = 0, total = 0
        // Newest decisions last: one sent since `since` was decided since then too.
        for entry in recent.reversed() {
            guard entry.decidedAt >= since else { break }
            guard entry.sentAt >= since else { continue }
            total += 1
            if entry.lost { bad += 1 }
        }
        for step in steps where step.outcome == .pending && step.survival < 0.01 && step.sentAt >= since {
            bad += 1
            total += 1
        }
        let delivering = (lastDecided?.arrived ?? false) && !overdue
        return Reading(statistics: statistics, firing: firing, crossing: crossing, delivering: delivering,
                       evidenceSince: evidenceStart.map { Date(timeIntervalSince1970: $0) }, healthyRate: modelHealthy,
                       badEvents: bad, totalEvents: total, lastArrivalSentAt: lastArrivalSentAt.map(Self.date),
                       lastSentAt: lastCountedSentAt.map(Self.date),
                           unansweredSince: unansweredSince.map(Self.date))
    }

    private static func date(_ seconds: Double) -> Date { Date(timeIntervalSince1970: seconds) }

    /// When the latest canary not excluded (refused by the API, or not accepted) was sent.
    private var lastCountedSentAt: Double? { entries.last { $0.outcome != .excluded }?.sentAt }

    /// The healthy loss rate this stream's history gives: its losses while not firing, pulled
    /// toward the floor by the prior's weight, and never below it.
    public func healthyEstimate(at now: Date) -> Double {
        var counts = healthy.counts(at: now)
        let mature = now.timeIntervalSince1970 - settings.baselineLag
        for entry in maturing[maturingHead...] {
            guard entry.decidedAt <= mature else { break }
            counts.total += 1
            if entry.good { counts.good += 1 }
        }
        let floor = settings.healthyFloor
        let estimate = (Double(counts.total - counts.good) + floor * settings.priorWeight) / (Double(counts.total) + settings.priorWeight)
        return min(0.45, max(floor, estimate))
    }

    /// Moves outcomes that have come of age into the healthy estimate.
    private mutating func mature(at now: Date) {
        let mature = now.timeIntervalSince1970 - settings.baselineLag
        while maturingHead < maturing.count, maturing[maturingHead].decidedAt <= mature {
            let entry = maturing[maturingHead]
            healthy.add(good: entry.good, at: Date(timeIntervalSince1970: entry.decidedAt))
            maturingHead += 1
        }
        if maturingHead > 1_024, maturingHead * 2 > maturing.count {
            maturing.removeFirst(maturingHead)
            maturingHead = 0
        }
    }

    /// The healthy rate the bank is held against at `now`, and the thresholds it asks for.
    private func tuning(at now: Date) -> (rate: Double, requests: [ThresholdTable.Request]) {
        let rate = ThresholdTable.roundedUp(healthyEstimate(at: now))
        let jumps = settings.jumps.filter { $0 > 2 * rate && $0 < 1 }
        let runLength = settings.healthyRunLength(canariesPerHour: canariesPerHour, tests: jumps.count)
        return (rate, jumps.map { ThresholdTable.Request(healthy: rate, jump: $0, runLength: runLength) })
    }

    private mutating func retune(at now: Date) {
        let (rate, requests) = tuning(at: now)
        guard !tuned || rate != modelHealthy || canariesPerHour != modelRate || settings != modelSettings else { return }
        let old = members
        members = requests.map { request in
            let (test, cells) = table.test(request)
            var member = Member(test: test, threshold: Double(cells) * test.cell)
            if let previous = old.first(where: { $0.test.jump == request.jump }) {
                member.settled = previous.settled
                member.runStart = previous.runStart
            }
            return member
        }
        modelHealthy = rate
        modelRate = canariesPerHour
        modelSettings = settings
        if !tuned {
            tuned = true
            fold(catchingUp: true)
        }
    }

    /// Moves decided canaries at the head of the queue into the settled statistics. Catching up
    /// on canaries no evaluation saw (a start's replay), a crossing fires as the evaluation after
    /// it would have: the statistic is held at the threshold from there on, so an outage days
    /// old is not a statistic that pages again at every start and takes days to fall back.
    private mutating func fold(catchingUp: Bool = false) {
        guard tuned else { return }
        // Send times of the pages a catch-up fires, from the start of their evidence to their resolution.
        var unhealthy: [(from: Double, to: Double)] = []
        while head < entries.count, entries[head].outcome != .pending {
            let entry = entries[head]
            head += 1
            guard entry.outcome != .excluded else { continue }
            for index in members.indices {
                var member = members[index]
                let step = entry.outcome == .arrived ? member.test.successStep : member.test.failureStep
                member.settled = max(0, member.settled + step)
                if firing { member.settled = min(member.settled, member.threshold) }
                if member.settled == 0 { member.runStart = nil } else if member.runStart == nil { member.runStart = entry.sentAt }
                members[index] = member
            }
            guard catchingUp else { continue }
            if !firing, let crossed = members.first(where: { $0.settled >= $0.threshold }) {
                let start = crossed.runStart ?? entry.sentAt
                firing = true
                firedAt = entry.sentAt
                evidenceStart = start
                evidenceWindow = max(0, entry.sentAt - start)
                unhealthy.append((start, .infinity))
                for index in members.indices { members[index].settled = min(members[index].settled, members[index].threshold) }
            } else if firing, members.allSatisfy({ $0.settled <= $0.threshold / 2 }), entry.sentAt - firedAt >= evidenceWindow {
                // Resolved as the live detector would have (at send times rather than evaluations).
                firing = false
                if let last = unhealthy.popLast() { unhealthy.append((last.from, entry.sentAt)) }
            }
        }
        // What the replayed pages rested on is not what healthy looks like; what came before and
        // after them is, as it was live.
        if !unhealthy.isEmpty {
            maturing = maturing[maturingHead...].filter { outcome in !unhealthy.contains { $0.from <= outcome.sentAt && outcome.sentAt < $0.to } }
            maturingHead = 0
        }
        if head > 1_024, head * 2 > entries.count {
            entries.removeFirst(head)
            firstTicket += head
            head = 0
        }
    }
}

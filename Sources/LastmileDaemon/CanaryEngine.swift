import Foundation
import LastmileCore
import LastmileProviders
import LastmileStore

/// The one owner of the correlator: every event about a canary passes through
/// here, is correlated, and is committed to the store before the call returns.
///
/// Correlation is serialised by the actor; commits overlap (the actor is
/// re-entered while a commit waits), which is what lets the store group them.
public actor CanaryEngine {
    let store: CanaryStore
    let metrics: DaemonMetrics
    let clock: any WallClock
    /// Fed with every settled canary, when SLOs are kept.
    let slo: SLOMonitor?
    /// Fed with every committed canary state, when pages are detected.
    let detection: DetectionMonitor?
    private var correlator: Correlator
    /// What a request may cost the store.
    private var policy = IngestStoragePolicy()
    private var unmatched = UnmatchedBudget(stored: 0)
    /// Commits awaited now: a recovery waits for them, so the state it reads includes them.
    private var commitsInFlight = 0
    /// Set while the correlator is being replaced from the store: nothing else correlates meanwhile.
    private var isRecovering = false
    /// Set when the correlator may differ from the store: a commit failed after its correlation
    /// was made, or a new leader's memory is an earlier term's. Every step is refused until
    /// `recover` takes the store's state back.
    private var needsRecovery = false
    /// Long messages being assembled now (receiver, sender, reference).
    private var assembling: Set<[String]> = []
    /// How many times `recover` replaced the correlator.
    private var recoveries = 0
    /// Told when a commit fails after its correlation was made (the state in memory is then ahead of the store's).
    private var onCommitFailed: (@Sendable (any Error) -> Void)?

    public init(store: CanaryStore, metrics: DaemonMetrics, clock: any WallClock,
                configuration: CorrelatorConfiguration = CorrelatorConfiguration(), slo: SLOMonitor? = nil,
                detection: DetectionMonitor? = nil) {
        self.detection = detection
        self.store = store
        self.metrics = metrics
        self.clock = clock
        self.slo = slo
        self.correlator = Correlator(configuration: configuration)
    }

    /// Sets who is told when a commit fails after its correlation was made.
    public func onCommitFailure(_ handler: @escaping @Sendable (any Error) -> Void) {
        onCommitFailed = handler
    }

    /// Sets what one request may cost the store (at start and on reload).
    public func setStoragePolicy(_ policy: IngestStoragePolicy) {
        self.policy = policy
    }

    /// The change that stores one request's reports: its body once, trimmed when it told nothing new.
    private func requestChange(_ result: CorrelationResult, receipts: [StoredReceipt] = [], arrivals: [StoredArrival] = [],
                               payload: Data, matches: [ReportMatch], at time: Date) -> StoreChange {
        var change = StoreChange(result, receipts: receipts, arrivals: arrivals)
        change.payload = policy.payload(payload, matches: matches, at: time)
        let unmatchedCount = receipts.filter { $0.unmatchedReason != nil }.count + arrivals.filter { $0.unmatchedReason != nil }.count
        if unmatchedCount > 0 { change.trimUnmatchedTo = unmatched.trim(adding: unmatchedCount, limit: policy.unmatchedLimit) }
        return change
    }

    /// Takes back the store's state after a start; overdue canaries are settled unless
    /// `settlingOverdue` is false (the caller settles them once it has joined what waited).
    ///
    /// Reports and sends that come meanwhile are refused (`EngineRecovering`, a 503 for a hook),
    /// and the store is read only once the commits already under way have landed: what a
    /// correlation in flight changed is in the state read, never lost behind it.
    public func recover(settlingOverdue: Bool = true) async throws -> RecoverySummary {
        guard !isRecovering else { throw EngineRecovering() }
        isRecovering = true
        defer { isRecovering = false }
        while commitsInFlight > 0 { try await Task.sleep(for: .milliseconds(1)) }
        // Read on the store's reading thread: every step is refused meanwhile, so nothing the
        // actor holds changes while it waits.
        let configuration = correlator.configuration, now = clock.now
        let (stored, recovering, summary, change, settlement) = try await store.reading { store in
            var recovering = Correlator(configuration: configuration)
            let (summary, change, settlement) = try store.recoveryChange(into: &recovering, now: now, settlingOverdue: settlingOverdue)
            return (try store.unmatchedCount(), recovering, summary, change, settlement)
        }
        unmatched = UnmatchedBudget(stored: stored)
        correlator = recovering
        recoveries += 1
        do {
            try await store.commit(change)
        } catch {
            // What settling overdue canaries changed is not in the store either.
            needsRecovery = true
            throw error
        }
        needsRecovery = false
        // Canaries lost while no one watched count in the verdicts and the SLOs as any other
        // (the detectors read them back with the rest of their history below).
        metrics.apply(settlement, at: now)
        slo?.record(settlement, at: now)
        let held = correlator.allHeld()
        metrics.restoredInFlight(held)
        if let detection {
            let since = clock.now.addingTimeInterval(-detection.history)
            let settled = try await store.reading { try $0.detectionHistory(since: since) }
            detection.restore(settled: settled, inFlight: held, at: clock.now)
        }
        return summary
    }

    /// Records a canary as submitting; returns once that is committed, so the provider may be called.
    public func start(_ plan: CanaryPlan) async throws {
        try refuseWhileRecovering()
        let now = clock.now
        let result = correlator.submitStarted(plan, at: now)
        try await commit(StoreChange(result))
        publish(result, at: now)
    }

    /// Records the API's answer.
    public func answer(canaryID: String, _ answer: SubmitAnswer, requestStartedAt: Date? = nil) async throws {
        try refuseWhileRecovering()
        let now = clock.now
        let result = correlator.submitAnswered(id: canaryID, answer: answer, at: now, requestStartedAt: requestStartedAt)
        try await commit(StoreChange(result))
        publish(result, at: now)
    }

    /// Correlates and stores receipts from one request (or from the inbox entry `consuming`,
    /// removed in the same write); returns how each was joined.
    public func ingest(receipts: [ParsedReceipt], route: String, rawPayload: Data, at time: Date,
                       consuming inboxEntry: Int64? = nil) async throws -> [ReportMatch] {
        try refuseWhileRecovering()
        var ids = try await reserveReportIDs(receipts.count)
        let settled = try await readSettled { $0.add(receipts: receipts, route: route, unknownTo: $1) }
        let step = try correlate(receipts: receipts, route: route, rawPayload: rawPayload, at: time, consuming: inboxEntry, settled: settled,
                                 ids: &ids)
        try await commit(step.change)
        finish(step)
        return step.matches
    }

    /// Correlates and stores arrivals from one request (or one spool file, named by `sourceKey`);
    /// returns how each was joined.
    public func ingest(arrivals: [ParsedArrival], receiver: String, rawPayload: Data, at time: Date,
                       sourceKey: String? = nil, consuming inboxEntry: Int64? = nil) async throws -> [ReportMatch] {
        try refuseWhileRecovering()
        var ids = try await reserveReportIDs(arrivals.count)
        let settled = try await readSettled { $0.add(arrivals: arrivals, unknownTo: $1) }
        let step = try correlate(arrivals: arrivals, receiver: receiver, rawPayload: rawPayload, at: time, sourceKey: sourceKey,
                                 consuming: inboxEntry, settled: settled, ids: &ids)
        try await commit(step.change)
        finish(step)
        return step.matches
    }

    /// Joins whole requests from the inbox, in the order given (the order they were stamped):
    /// correlated one after another, their writes made together, so a batch costs about one
    /// commit rather than one each.
    func ingest(inbox requests: [InboxRequest]) async throws {
        try refuseWhileRecovering()
        let reports = requests.reduce(0) { total, request in
            switch request.reports {
            case .receipts(let parsed, _): total + parsed.count
            case .arrivals(let parsed, _): total + parsed.count
            }
        }
        var ids = try await reserveReportIDs(reports)
        let settled = try await readSettled { keys, correlator in
            for request in requests {
                switch request.reports {
                case .receipts(let parsed, let route): keys.add(receipts: parsed, route: route, unknownTo: correlator)
                case .arrivals(let parsed, _): keys.add(arrivals: parsed, unknownTo: correlator)
                }
            }
        }
        var steps: [IngestStep] = []
        for request in requests {
            switch request.reports {
            case .receipts(let parsed, let route):
                steps.append(try correlate(receipts: parsed, route: route, rawPayload: request.rawPayload, at: request.receivedAt,
                                           consuming: request.entry, settled: settled, ids: &ids))
            case .arrivals(let parsed, let receiver):
                steps.append(try correlate(arrivals: parsed, receiver: receiver, rawPayload: request.rawPayload, at: request.receivedAt,
                                           sourceKey: request.sourceKey, consuming: request.entry, settled: settled, ids: &ids))
            }
        }
        let changes = steps.map(\.change)
        commitsInFlight += 1
        defer { commitsInFlight -= 1 }
        do {
            // One write, in the order correlated: a later state of a canary never lands first.
            try await store.commit(changes)
        } catch {
            commitFailed(error)
            throw error
        }
        for step in steps { finish(step) }
    }

    /// What correlating one request made: the write it needs, and what to publish once it is made.
    struct IngestStep {
        var change: StoreChange
        var result: CorrelationResult
        var matches: [ReportMatch]
        var kind: String
        var time: Date
    }

    private func correlate(receipts: [ParsedReceipt], route: String, rawPayload: Data, at time: Date,
                           consuming inboxEntry: Int64?, settled: SettledLookup, ids: inout ArraySlice<Int64>) throws -> IngestStep {
        // Refused before the correlator changes, not halfway through.
        guard ids.count >= receipts.count else { throw ReportIDsRanOut() }
        var combined = CorrelationResult()
        var stored: [StoredReceipt] = []
        for parsed in receipts {
            let report = ReceiptReport(reference: ids.removeFirst(), route: route, providerMessageID: parsed.messageID,
                                       token: parsed.token, status: parsed.status, rawStatus: parsed.rawStatus,
                                       errorCode: parsed.errorCode, reportedAt: parsed.reportedAt, ingestedAt: time)
            var result = correlator.ingest(report)
            if restoreSettled(after: result, settled.canary(for: parsed, route: route)) {
                result = correlator.ingest(report)
            }
            combined.merge(result)
            stored.append(StoredReceipt(report: report, match: result.match, rawPayload: Data()))
        }
        let matches = stored.map { receipt -> ReportMatch in
            if let reason = receipt.unmatchedReason { return .unmatched(reason, canaryID: receipt.canaryID) }
            return receipt.duplicate ? .duplicate(canaryID: receipt.canaryID ?? "") : .matched(canaryID: receipt.canaryID ?? "")
        }
        var change = requestChange(combined, receipts: stored, payload: rawPayload, matches: matches, at: time)
        change.consumedInbox = inboxEntry.map { [$0] } ?? []
        return IngestStep(change: change, result: combined, matches: matches, kind: "receipt", time: time)
    }

    private func correlate(arrivals: [ParsedArrival], receiver: String, rawPayload: Data, at time: Date, sourceKey: String?,
                           consuming inboxEntry: Int64?, settled: SettledLookup, ids: inout ArraySlice<Int64>) throws -> IngestStep {
        // Refused before the correlator changes, not halfway through.
        guard ids.count >= arrivals.count else { throw ReportIDsRanOut() }
        var combined = CorrelationResult()
        var stored: [StoredArrival] = []
        var matches: [ReportMatch] = []
        for parsed in arrivals {
            let report = ArrivalReport(reference: ids.removeFirst(), receiver: receiver, from: parsed.from,
                                       body: parsed.body, reportedAt: parsed.receivedAt, ingestedAt: time)
            var result = correlator.ingest(report)
            if restoreSettled(after: result, settled.canary(for: parsed)) {
                result = correlator.ingest(report)
            }
            combined.merge(result)
            stored.append(StoredArrival(report: report, match: result.match, rawPayload: Data(), sourceKey: sourceKey))
            matches.append(result.match ?? .unmatched(.noToken, canaryID: nil))
        }
        var change = requestChange(combined, arrivals: stored, payload: rawPayload, matches: matches, at: time)
        change.consumedInbox = inboxEntry.map { [$0] } ?? []
        return IngestStep(change: change, result: combined, matches: matches, kind: "arrival", time: time)
    }

    /// Publishes a committed step and counts its reports.
    private func finish(_ step: IngestStep) {
        publish(step.result, at: step.time)
        for match in step.matches { metrics.countReport(kind: step.kind, match: match) }
    }

    /// Keeps one part of a long message; once every part is in, matches the whole message.
    /// Returns nil while parts are missing.
    public func ingest(part arrival: ParsedArrival, receiver: String, rawPayload: Data, at time: Date,
                       consuming inboxEntry: Int64? = nil) async throws -> ReportMatch? {
        try refuseWhileRecovering()
        guard let part = arrival.part else {
            return try await ingest(arrivals: [arrival], receiver: receiver, rawPayload: rawPayload, at: time, consuming: inboxEntry).first
        }
        var change = StoreChange()
        change.parts = [StoredPart(receiver: receiver, sender: arrival.from, reference: part.reference, total: part.total,
                                   part: part.index, body: arrival.body, reportedAt: arrival.receivedAt, ingestedAt: time,
                                   rawPayload: Data())]
        change.payload = RequestPayload(body: rawPayload, receivedAt: time)
        change.consumedInbox = inboxEntry.map { [$0] } ?? []
        try await commit(change)
        return try await assemble(receiver: receiver, sender: arrival.from, reference: part.reference, at: time)
    }

    /// Matches a long message whose parts are all stored, and removes the parts in the same write.
    /// A message already being assembled (its last two parts came together, or the periodic
    /// `assemblePending` met it) is left to that assembly: the actor runs other steps while the
    /// store answers, and two would store the message twice.
    func assemble(receiver: String, sender: String, reference: String, at time: Date) async throws -> ReportMatch? {
        try refuseWhileRecovering()
        let message = [receiver, sender, reference]
        guard assembling.insert(message).inserted else { return nil }
        defer { assembling.remove(message) }
        var ids = try await reserveReportIDs(1)
        let parts = try await store.reading { try $0.parts(receiver: receiver, sender: sender, reference: reference) }
        // A recovery may have begun while the store answered.
        try refuseWhileRecovering()
        guard let total = parts.first?.total, Set(parts.map(\.part)).count >= total else { return nil }
        let body = parts.map(\.body).joined()
        let report = ArrivalReport(reference: ids.removeFirst(), receiver: receiver, from: sender, body: body,
                                   reportedAt: parts.compactMap(\.reportedAt).max(), ingestedAt: parts.map(\.ingestedAt).max() ?? time)
        let result = correlator.ingest(report)
        var change = StoreChange(result, arrivals: [StoredArrival(
            report: report, match: result.match, rawPayload: Data(parts.map(\.rawPayload).joined(separator: Data("\n".utf8))))])
        change.assembled = [(receiver, sender, reference)]
        try await commit(change)
        publish(result, at: time)
        metrics.countReport(kind: "arrival", match: result.match)
        return result.match
    }

    /// Matches long messages completed before a crash stopped their assembly.
    public func assemblePending(at time: Date) async throws -> Int {
        var count = 0
        for message in try await store.reading({ try $0.completeMessages() }) {
            if try await assemble(receiver: message.receiver, sender: message.sender, reference: message.reference, at: time) != nil {
                count += 1
            }
        }
        return count
    }

    /// Whether a spool file's arrival is already stored.
    public func hasArrival(sourceKey: String) async throws -> Bool { try await store.reading { try $0.hasArrival(sourceKey: sourceKey) } }

    /// A report that names no canary in memory may name one settled long ago, `stored` (read
    /// beforehand by `readSettled`): take it back into the correlator. True when the report
    /// should be correlated again.
    private func restoreSettled(after result: CorrelationResult, _ stored: @autoclosure () -> Canary?) -> Bool {
        // `stored` scans the report again: only for one that named no held canary.
        guard case .unmatched(let reason, nil)? = result.match, reason == .unknownToken || reason == .unknownMessageID,
              let canary = stored(), canary.verdict != nil, correlator.canary(id: canary.id) == nil else { return false }
        _ = correlator.restore(canary)
        return true
    }

    /// Reads the settled canaries the coming step may name, by the keys `needed` adds for the
    /// correlator as it stands. The actor may run other steps while the store answers: one may
    /// take a canary back, change it and let it go again, leaving what was read out of date, so
    /// when the correlator let any canary go (or was replaced) meanwhile, everything is read
    /// again; and a canary let go may be one the step names, so the keys are asked again until
    /// nothing new is needed.
    private func readSettled(_ needed: (inout SettledLookup.Keys, Correlator) -> Void) async throws -> SettledLookup {
        var found = SettledLookup()
        var asked = SettledLookup.Keys()
        while true {
            var keys = SettledLookup.Keys()
            needed(&keys, correlator)
            keys = keys.subtracting(asked)
            guard !keys.isEmpty else { return found }
            let before = (recoveries, correlator.releasedCount)
            let read = try await SettledLookup.read(keys, from: store)
            try refuseWhileRecovering()
            if before != (recoveries, correlator.releasedCount) {
                found = SettledLookup()
                asked = SettledLookup.Keys()
                continue
            }
            found.merge(read)
            asked.formUnion(keys)
        }
    }

    /// Ids for the `count` reports of a coming step: those in hand at once, without leaving the
    /// actor; otherwise from the store, which may have to ask the server for a block.
    private func reserveReportIDs(_ count: Int) async throws -> ArraySlice<Int64> {
        if let ids = store.reportIDsInHand(count) { return ids[...] }
        let ids = try await store.reserveReportIDs(count)
        try refuseWhileRecovering()
        return ids[...]
    }


    /// Settles canaries whose deadline passed and commits them.
    @discardableResult
    ///
    /// With `holdingBack`, only canaries whose deadline passed that long ago: on a shared store a
    /// report another instance took in before a deadline may reach the inbox a moment after it.
    public func settle(holdingBack grace: TimeInterval = 0) async throws -> Int {
        try refuseWhileRecovering()
        let now = clock.now
        let result = correlator.advance(to: now.addingTimeInterval(-grace))
        guard !result.changed.isEmpty else { return 0 }
        try await commit(StoreChange(result))
        publish(result, at: now)
        return result.settled.count
    }

    /// Every step that correlates starts here: while the correlator is being replaced, or is
    /// ahead of the store after a failed commit, a step must not touch it (what it changed would
    /// never be committed, or would be judged against state the store never had).
    private func refuseWhileRecovering() throws {
        guard !isRecovering, !needsRecovery else { throw EngineRecovering() }
    }

    /// Refuses every step until `recover` has taken the store's state back: what a new leader
    /// holds in memory is from an earlier term, and another leader may have written since.
    public func refuseStepsUntilRecovered() {
        needsRecovery = true
    }

    /// Takes the store's state back if a commit failed since the last recovery; true when it did.
    /// A store the engine alone writes calls this from its settlement loop; a shared one steps
    /// down and takes over again instead (`onCommitFailure`).
    public func recoverIfAheadOfStore() async throws -> Bool {
        guard needsRecovery else { return false }
        _ = try await recover()
        return true
    }

    /// A commit failed after its correlation was made: refuse steps until the store's state is back.
    private func commitFailed(_ error: any Error) {
        needsRecovery = true
        onCommitFailed?(error)
    }

    /// Commits `change`, counted while it is under way; refused while the engine recovers.
    private func commit(_ change: StoreChange) async throws {
        try refuseWhileRecovering()
        commitsInFlight += 1
        defer { commitsInFlight -= 1 }
        do {
            try await store.commit(change)
        } catch {
            commitFailed(error)
            throw error
        }
    }

    /// Tells metrics and SLOs what a committed step changed.
    private func publish(_ result: CorrelationResult, at time: Date) {
        metrics.apply(result, at: time)
        slo?.record(result, at: time)
        detection?.record(result, at: time)
    }

    /// Canaries not yet settled.
    public var inFlightCount: Int { correlator.inFlightCount }
}

/// A step correlated more reports than it reserved ids for: a bug, refused rather than given a
/// duplicate id.
struct ReportIDsRanOut: Error, CustomStringConvertible {
    var description: String { "a step ran out of the report ids it reserved" }
}

/// The engine is replacing its state from the store: try again in a moment.
public struct EngineRecovering: Error, CustomStringConvertible {
    public var description: String { "the engine is taking its state back from the store; try again" }
}

extension CorrelationResult {
    /// Folds another step's result into this one (later states win).
    mutating func merge(_ other: CorrelationResult) {
        for canary in other.changed {
            if let index = changed.firstIndex(where: { $0.id == canary.id }) { changed[index] = canary } else { changed.append(canary) }
        }
        claimedReceipts += other.claimedReceipts
        transitions += other.transitions
        match = other.match ?? match
    }
}

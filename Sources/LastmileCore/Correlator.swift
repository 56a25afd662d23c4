import Foundation

/// Joins submits, receipts and arrivals into one verdict per canary.
///
/// A pure state machine: every method takes the event with its timestamps and
/// returns what changed. It reads no clock and does no I/O; the caller persists
/// `CorrelationResult.changed` and calls `advance(to:)` as time passes.
public struct Correlator: Sendable {
    public let configuration: CorrelatorConfiguration

    /// Canaries in flight, and settled ones kept for `settledRetention`, in slots that the
    /// indexes below name by number: a dictionary of whole canaries would keep up to twice as
    /// many empty buckets of a canary's size as it has canaries.
    private var slots: [Canary?] = []
    private var freeSlots: [Int32] = []
    private var slotsByID: [String: Int32] = [:]
    private var slotsByToken = TokenSlotTable()
    private var slotsByMessageID: [MessageKey: Int32] = [:]
    private var deadlines = DeadlineQueue<String>()
    private var evictions: [(at: Date, id: String)] = []
    private var evictionHead = 0
    private var orphanReceipts: [MessageKey: [ReceiptReport]] = [:]
    private var orphanOrder: [(at: Date, key: MessageKey)] = []
    private var orphanHead = 0
    private var orphanCount = 0
    private var orphansByRoute: [String: Int] = [:]

    struct MessageKey: Hashable, Sendable {
        var route: String
        var messageID: String
    }

    public init(configuration: CorrelatorConfiguration = CorrelatorConfiguration()) {
        self.configuration = configuration
    }

    /// Canaries not yet settled.
    public var inFlightCount: Int { slots.lazy.filter { $0.map { $0.verdict == nil } ?? false }.count }

    /// Canaries held in memory, settled ones included.
    public var heldCount: Int { slotsByID.count }

    /// How many settled canaries it has let go of so far: a caller that read the store while
    /// it waited compares the count, since a canary let go meanwhile may have changed first.
    public private(set) var releasedCount = 0

    /// The current state of a held canary.
    public func canary(id: String) -> Canary? { slotsByID[id].flatMap { slots[Int($0)] } }

    /// The held canary carrying `token`.
    public func canary(token: Token) -> Canary? { slotsByToken[token].flatMap { slots[Int($0)] } }

    /// Whether a canary is held that `route`'s provider knows as `messageID`.
    public func holdsCanary(route: String, providerMessageID messageID: String) -> Bool {
        slot(forMessageID: messageID, route: route) != nil
    }

    // MARK: Submit

    /// A canary is about to be handed to its provider.
    public mutating func submitStarted(_ plan: CanaryPlan, at time: Date) -> CorrelationResult {
        var result = CorrelationResult()
        guard slotsByID[plan.id] == nil else { return result }
        let canary = Canary(plan: plan, submitStartedAt: time)
        track(canary)
        result.changed.append(canary)
        CanaryTransition.append(from: .none, canary, to: &result.transitions)
        return result
    }

    /// The provider answered the send (or the send failed). `requestStartedAt` is when
    /// the API request itself began (after the canary was recorded as submitting);
    /// latency and the deadline count from it when nothing has arrived yet.
    public mutating func submitAnswered(id: String, answer: SubmitAnswer, at time: Date,
                                        requestStartedAt: Date? = nil) -> CorrelationResult {
        var result = CorrelationResult()
        guard let slot = slotsByID[id], slots[Int(slot)]?.acceptsSubmitAnswer(answer) == true else { return result }
        var claimed: [ReceiptReport] = []
        if let messageID = answer.providerMessageID, !messageID.isEmpty, let route = slots[Int(slot)]?.plan.route {
            let key = MessageKey(route: route, messageID: messageID)
            slotsByMessageID[key] = slot
            if let waiting = orphanReceipts.removeValue(forKey: key) {
                countOrphans(-waiting.count, route: route)
                claimed = waiting
            }
        }
        modify(slot, into: &result) { canary in
            _ = canary.recordSubmitAnswer(answer, at: time)
            if let requestStartedAt, canary.arrival == nil, canary.verdict == nil, requestStartedAt > canary.submitStartedAt,
               requestStartedAt <= time {
                canary.submitStartedAt = requestStartedAt
            }
            for receipt in claimed { _ = canary.recordReceipt(receipt) }
        }
        for receipt in claimed { result.claimedReceipts.append((receipt.reference, id)) }
        return result
    }

    // MARK: Restart

    /// Takes back a canary loaded from the store after a restart. One that was
    /// still `submitting` becomes an unknown submit: it is never sent again, and
    /// its arrival still matches.
    public mutating func restore(_ stored: Canary) -> CorrelationResult {
        var result = CorrelationResult()
        var canary = stored
        if canary.state == .submitting {
            canary.submit = SubmitAnswer(outcome: .unknown, reason: "process stopped before the API answered")
            result.changed.append(copy canary)
        }
        let slot = track(canary)
        if let messageID = canary.submit?.providerMessageID, !messageID.isEmpty {
            slotsByMessageID[MessageKey(route: canary.plan.route, messageID: messageID)] = slot
        }
        return result
    }

    // MARK: Time

    /// Settles every canary whose deadline is at or before `now`, and forgets
    /// settled canaries and waiting receipts that are old enough.
    public mutating func advance(to now: Date) -> CorrelationResult {
        var result = CorrelationResult()
        while let due = deadlines.popDue(at: now) {
            guard let slot = slotsByID[due.id], let deadline = slots[Int(slot)].flatMap({ $0.verdict == nil ? $0.deadlineAt : nil }) else {
                continue
            }
            if deadline > now {
                // The submit start moved later when the request began; wait for the new deadline.
                deadlines.insert(due.id, at: deadline)
                continue
            }
            modify(slot, into: &result) { $0.settleWithoutArrival(at: deadline) }
        }
        evictSettled(before: now.addingTimeInterval(-configuration.settledRetention))
        expireOrphans(before: now.addingTimeInterval(-configuration.orphanReceiptLifetime))
        return result
    }

    // MARK: Internals

    /// Holds a canary not held yet; returns its slot.
    @discardableResult
    mutating func track(_ canary: Canary) -> Int32 {
        let slot: Int32
        if let free = freeSlots.popLast() {
            slot = free
            slots[Int(slot)] = canary
        } else {
            slot = Int32(slots.count)
            slots.append(canary)
        }
        slotsByID[canary.id] = slot
        slotsByToken[canary.plan.token] = slot
        defer { deadlineOrEviction(canary) }
        return slot
    }

    private mutating func deadlineOrEviction(_ canary: Canary) {
        if let settledAt = canary.settledAt {
            evictions.append((settledAt, canary.id))
        } else {
            deadlines.insert(canary.id, at: canary.deadlineAt)
        }
    }

    /// Changes the canary in `slot` where it lies and records in `result` what changed: the
    /// canary is copied once, into `result.changed`, rather than out of its slot and back.
    /// Nil when the slot holds no canary.
    @discardableResult
    mutating func modify<Value>(_ slot: Int32, into result: inout CorrelationResult, _ change: (inout Canary) -> Value) -> Value? {
        let index = Int(slot)
        guard let (settled, value) = slots[index]?.changing(recordingIn: &result.transitions, change) else { return nil }
        // One copy, straight into the result.
        let position: Int
        if !result.changed.isEmpty, let changed = result.changed.firstIndex(where: { $0.id == slots[index]?.id }) {
            result.changed[changed] = slots[index]!
            position = changed
        } else {
            result.changed.append(slots[index]!)
            position = result.changed.count - 1
        }
        if settled {
            evictions.append((result.changed[position].settledAt ?? result.changed[position].deadlineAt, result.changed[position].id))
        }
        return value
    }

    /// Whether the canary in `slot` is still open at `time` although its deadline has passed.
    func isOverdue(_ slot: Int32, at time: Date) -> Bool {
        slots[Int(slot)]?.isOverdue(at: time) ?? false
    }

    /// The slot of the canary the provider knows as `messageID` on `route`.
    func slot(forMessageID messageID: String, route: String) -> Int32? {
        slotsByMessageID[MessageKey(route: route, messageID: messageID)]
    }

    /// The slot of the canary carrying `token`.
    func slot(for token: Token) -> Int32? { slotsByToken[token] }

    /// The slot of the canary `token` names, when that canary went through `route`.
    func slot(for token: Token, route: String) -> Int32? {
        slotsByToken[token].flatMap { slots[Int($0)]?.plan.route == route ? $0 : nil }
    }

    mutating func holdOrphan(_ receipt: ReceiptReport, messageID: String) {
        guard orphanCount < configuration.maximumOrphanReceipts,
              orphansByRoute[receipt.route, default: 0] < configuration.maximumOrphanReceiptsPerRoute else { return }
        let key = MessageKey(route: receipt.route, messageID: messageID)
        orphanReceipts[key, default: []].append(receipt)
        orphanOrder.append((receipt.ingestedAt, key))
        countOrphans(1, route: receipt.route)
    }

    private mutating func countOrphans(_ change: Int, route: String) {
        orphanCount += change
        let count = orphansByRoute[route, default: 0] + change
        orphansByRoute[route] = count > 0 ? count : nil
    }

    private mutating func evictSettled(before cutoff: Date) {
        while evictionHead < evictions.count, evictions[evictionHead].at <= cutoff {
            let id = evictions[evictionHead].id
            evictionHead += 1
            guard let slot = slotsByID[id], let canary = slots[Int(slot)], let settledAt = canary.settledAt, settledAt <= cutoff else { continue }
            slots[Int(slot)] = nil
            freeSlots.append(slot)
            releasedCount += 1
            slotsByID[id] = nil
            if slotsByToken[canary.plan.token] == slot { slotsByToken[canary.plan.token] = nil }
            if let messageID = canary.submit?.providerMessageID {
                let key = MessageKey(route: canary.plan.route, messageID: messageID)
                if slotsByMessageID[key] == slot { slotsByMessageID[key] = nil }
            }
        }
        if evictionHead > 1024 && evictionHead * 2 > evictions.count {
            evictions.removeFirst(evictionHead)
            evictionHead = 0
        }
    }

    private mutating func expireOrphans(before cutoff: Date) {
        while orphanHead < orphanOrder.count, orphanOrder[orphanHead].at <= cutoff {
            let key = orphanOrder[orphanHead].key
            orphanHead += 1
            if let waiting = orphanReceipts[key] {
                let kept = waiting.filter { $0.ingestedAt > cutoff }
                countOrphans(kept.count - waiting.count, route: key.route)
                orphanReceipts[key] = kept.isEmpty ? nil : kept
            }
        }
        if orphanHead > 1024 && orphanHead * 2 > orphanOrder.count {
            orphanOrder.removeFirst(orphanHead)
            orphanHead = 0
        }
    }
}

extension Correlator {
    /// Every canary held in memory, settled ones included.
    public func allHeld() -> [Canary] { slots.compactMap { $0 } }
}

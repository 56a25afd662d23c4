import Foundation
import Synchronization
import Testing
@testable import LastmileCore

/// A small script around the correlator: times are seconds after `t0`.
struct Scenario {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    var correlator = Correlator()
    var nextToken: UInt64 = 1_000

    static func at(_ seconds: TimeInterval) -> Date { t0.addingTimeInterval(seconds) }

    mutating func plan(id: String = "c1", route: String = "r1", threshold: TimeInterval = 60,
                       deadline: TimeInterval = 900, clock: LatencyClock = .ingest) -> CanaryPlan {
        nextToken += 7_919
        let token = Token(payload: nextToken)
        return CanaryPlan(id: id, token: token, route: route, carrier: "Carrier", probe: "p1", receiver: "rx1",
                          to: "+15551230001", from: "+15005550006", body: "Lastmile check \(token)",
                          threshold: threshold, deadline: deadline, latencyClock: clock)
    }

    @discardableResult
    mutating func start(_ plan: CanaryPlan, at seconds: TimeInterval = 0) -> CorrelationResult {
        correlator.submitStarted(plan, at: Self.at(seconds))
    }

    @discardableResult
    mutating func answer(_ plan: CanaryPlan, _ outcome: SubmitOutcome, messageID: String? = "SM1",
                         at seconds: TimeInterval = 1) -> CorrelationResult {
        correlator.submitAnswered(id: plan.id, answer: SubmitAnswer(outcome: outcome, providerMessageID: messageID),
                                  at: Self.at(seconds))
    }

    @discardableResult
    mutating func receipt(_ status: ReceiptStatus, messageID: String? = "SM1", token: Token? = nil,
                          raw: String? = nil, route: String = "r1", reference: Int64 = 0,
                          at seconds: TimeInterval) -> CorrelationResult {
        correlator.ingest(ReceiptReport(reference: reference, route: route, providerMessageID: messageID, token: token,
                                        status: status, rawStatus: raw ?? status.rawValue, ingestedAt: Self.at(seconds)))
    }

    @discardableResult
    mutating func arrive(_ plan: CanaryPlan, body: String? = nil, from: String? = nil, reportedAt: TimeInterval? = nil,
                         at seconds: TimeInterval) -> CorrelationResult {
        correlator.ingest(ArrivalReport(receiver: plan.receiver, from: from ?? plan.from, body: body ?? plan.body,
                                        reportedAt: reportedAt.map(Self.at), ingestedAt: Self.at(seconds)))
    }

    @discardableResult
    mutating func advance(to seconds: TimeInterval) -> CorrelationResult {
        correlator.advance(to: Self.at(seconds))
    }

    func canary(_ plan: CanaryPlan) -> Canary { correlator.canary(id: plan.id)! }
}

@Suite struct VerdictTests {
    @Test func arrivalWithinThresholdIsDelivered() {
        var s = Scenario()
        let p = s.plan()
        s.start(p)
        s.answer(p, .accepted)
        let result = s.arrive(p, at: 12)
        #expect(result.match == .matched(canaryID: "c1"))
        #expect(result.settled == ["c1"])
        let c = s.canary(p)
        #expect(c.verdict == .delivered)
        #expect(c.arrival?.latency == 12)
        #expect(c.settledAt == Scenario.at(12))
        #expect(c.facts.isEmpty)
    }

    @Test func arrivalAfterThresholdIsLate() {
        var s = Scenario()
        let p = s.plan(threshold: 60)
        s.start(p); s.answer(p, .accepted)
        s.arrive(p, at: 61)
        #expect(s.canary(p).verdict == .late)
    }

    @Test func arrivalExactlyAtThresholdIsOnTime() {
        var s = Scenario()
        let p = s.plan(threshold: 60)
        s.start(p); s.answer(p, .accepted)
        s.arrive(p, at: 60)
        #expect(s.canary(p).verdict == .delivered)
    }

    @Test func acceptedAndNothingArrivedIsLostAtTheDeadline() {
        var s = Scenario()
        let p = s.plan(deadline: 900)
        s.start(p); s.answer(p, .accepted)
        #expect(s.advance(to: 899).settled.isEmpty)
        let result = s.advance(to: 900)
        #expect(result.settled == ["c1"])
        #expect(s.canary(p).verdict == .lost)
        #expect(s.canary(p).settledAt == Scenario.at(900))
        #expect(s.canary(p).facts == [.silence])
    }

    @Test func settlementIsStampedWithTheDeadlineEvenWhenTimeJumps() {
        var s = Scenario()
        let p = s.plan(deadline: 900)
        s.start(p); s.answer(p, .accepted)
        s.advance(to: 5_000)
        #expect(s.canary(p).settledAt == Scenario.at(900))
    }

    @Test func refusedAndNothingArrivedIsRejected() {
        var s = Scenario()
        let p = s.plan()
        s.start(p); s.answer(p, .rejected, messageID: nil)
        s.advance(to: 900)
        #expect(s.canary(p).verdict == .rejected)
        #expect(s.canary(p).facts.isEmpty)
    }

    @Test func errorAndNothingArrivedIsSendError() {
        var s = Scenario()
        let p = s.plan()
        s.start(p); s.answer(p, .error, messageID: nil)
        s.advance(to: 900)
        #expect(s.canary(p).verdict == .sendError)
    }

    @Test func noAnswerByTheDeadlineIsLost() {
        var s = Scenario()
        let p = s.plan()
        s.start(p)
        s.advance(to: 900)
        #expect(s.canary(p).verdict == .lost)
    }

    @Test func theVerdictIsDecidedOnce() {
        var s = Scenario()
        let p = s.plan()
        s.start(p); s.answer(p, .accepted)
        s.arrive(p, at: 10)
        let later = s.advance(to: 10_000)
        #expect(later.settled.isEmpty)
        #expect(s.canary(p).verdict == .delivered)
    }
}

@Suite struct FactTests {
    @Test func falseReceiptWhenReceiptSaidDeliveredAndNothingArrived() {
        var s = Scenario()
        let p = s.plan()
        s.start(p); s.answer(p, .accepted)
        s.receipt(.delivered, at: 5)
        s.advance(to: 900)
        #expect(s.canary(p).verdict == .lost)
        #expect(s.canary(p).facts == [.falseReceipt])
    }

    @Test func honestFailureWhenReceiptSaidFailedAndNothingArrived() {
        var s = Scenario()
        let p = s.plan()
        s.start(p); s.answer(p, .accepted)
        s.receipt(.undelivered, raw: "UNDELIV", at: 5)
        s.advance(to: 900)
        #expect(s.canary(p).facts == [.honestFailure])
        #expect(s.canary(p).receiptRawStatus == "UNDELIV")
    }

    @Test func silenceWhenOnlyPendingCame() {
        var s = Scenario()
        let p = s.plan()
        s.start(p); s.answer(p, .accepted)
        s.receipt(.pending, at: 5)
        s.advance(to: 900)
        #expect(s.canary(p).facts == [.silence])
    }

    @Test func aReceiptAfterALossUpdatesWhatTheReceiptsClaimed() {
        var s = Scenario()
        let p = s.plan()
        s.start(p); s.answer(p, .accepted)
        s.advance(to: 900)
        #expect(s.canary(p).facts == [.silence])
        s.receipt(.delivered, at: 1_000)
        #expect(s.canary(p).verdict == .lost)
        #expect(s.canary(p).facts == [.falseReceipt])
    }

    @Test func receiptSaidFailedButItArrived() {
        var s = Scenario()
        let p = s.plan()
        s.start(p); s.answer(p, .accepted)
        s.receipt(.failed, at: 5)
        s.arrive(p, at: 10)
        #expect(s.canary(p).verdict == .delivered)
        #expect(s.canary(p).facts == [.receiptFailedButArrived])
    }

    @Test func receiptSaidFailedAfterItArrived() {
        var s = Scenario()
        let p = s.plan()
        s.start(p); s.answer(p, .accepted)
        s.arrive(p, at: 10)
        s.receipt(.expired, at: 20)
        #expect(s.canary(p).facts == [.receiptFailedButArrived])
    }

    @Test func apiSaidErrorButItArrived() {
        var s = Scenario()
        let p = s.plan()
        s.start(p); s.answer(p, .error, messageID: nil)
        s.arrive(p, at: 10)
        #expect(s.canary(p).verdict == .delivered)
        #expect(s.canary(p).facts == [.apiErrorButArrived])
    }

    @Test func apiRefusedButItArrived() {
        var s = Scenario()
        let p = s.plan()
        s.start(p); s.answer(p, .rejected, messageID: nil)
        s.arrive(p, at: 10)
        #expect(s.canary(p).verdict == .delivered)
        #expect(s.canary(p).facts == [.apiRejectedButArrived])
    }

    @Test func alteredBodyIsRecorded() {
        var s = Scenario()
        let p = s.plan()
        s.start(p); s.answer(p, .accepted)
        s.arrive(p, body: "FreeMsg: " + p.body, at: 10)
        #expect(s.canary(p).verdict == .delivered)
        #expect(s.canary(p).facts == [.alteredBody])
    }

    @Test func whitespaceAroundTheBodyIsNotAnAlteration() {
        var s = Scenario()
        let p = s.plan()
        s.start(p); s.answer(p, .accepted)
        s.arrive(p, body: p.body + "\r\n", at: 10)
        #expect(s.canary(p).facts.isEmpty)
    }

    @Test func alteredSenderIsRecorded() {
        var s = Scenario()
        let p = s.plan()
        s.start(p); s.answer(p, .accepted)
        s.arrive(p, from: "+15550009999", at: 10)
        #expect(s.canary(p).facts == [.alteredSender])
    }

    @Test(arguments: ["15005550006", "+1 500-555-0006", "0015005550006", "+1 (500) 555.0006"])
    func senderFormattingIsNotAnAlteration(from: String) {
        var s = Scenario()
        let p = s.plan()
        s.start(p); s.answer(p, .accepted)
        s.arrive(p, from: from, at: 10)
        #expect(s.canary(p).facts.isEmpty)
    }

    @Test func arrivalAfterSettlementKeepsTheVerdictAndIsUnmatched() {
        var s = Scenario()
        let p = s.plan(deadline: 900)
        s.start(p); s.answer(p, .accepted)
        s.advance(to: 900)
        let result = s.arrive(p, at: 1_200)
        #expect(result.match == .unmatched(.afterSettlement, canaryID: "c1"))
        #expect(result.settled.isEmpty)
        #expect(s.canary(p).verdict == .lost)
        #expect(s.canary(p).facts == [.silence, .arrivedAfterSettlement])
    }

    @Test func arrivalAfterTheDeadlineBeforeAnyTickStillSettlesAsLost() {
        var s = Scenario()
        let p = s.plan(deadline: 900)
        s.start(p); s.answer(p, .accepted)
        let result = s.arrive(p, at: 950)
        #expect(result.settled == ["c1"])
        #expect(result.match == .unmatched(.afterSettlement, canaryID: "c1"))
        #expect(s.canary(p).verdict == .lost)
        #expect(s.canary(p).settledAt == Scenario.at(900))
        #expect(s.canary(p).facts.contains(.arrivedAfterSettlement))
    }

    @Test func negativeLatencyIsFlaggedAndIngestTimeUsed() {
        var s = Scenario()
        let p = s.plan(clock: .receiver)
        s.start(p, at: 100); s.answer(p, .accepted, at: 101)
        s.arrive(p, reportedAt: 40, at: 110)
        #expect(s.canary(p).facts == [.negativeLatency])
        #expect(s.canary(p).arrival?.latency == 10)
    }

    @Test func absurdLatencyIsFlaggedAndIngestTimeUsed() {
        var s = Scenario()
        let p = s.plan(clock: .receiver)
        s.start(p); s.answer(p, .accepted)
        s.arrive(p, reportedAt: 3_600, at: 20)
        #expect(s.canary(p).facts == [.absurdLatency])
        #expect(s.canary(p).arrival?.latency == 20)
        #expect(s.canary(p).verdict == .delivered)
    }

    @Test func receiverClockIsUsedWhenPlausible() {
        var s = Scenario()
        let p = s.plan(threshold: 60, clock: .receiver)
        s.start(p); s.answer(p, .accepted)
        s.arrive(p, reportedAt: 55, at: 70)
        #expect(s.canary(p).arrival?.latency == 55)
        #expect(s.canary(p).verdict == .delivered)
        #expect(s.canary(p).facts.isEmpty)
    }

    @Test func ingestClockIgnoresAPlausibleReceiverTime() {
        var s = Scenario()
        let p = s.plan(threshold: 60, clock: .ingest)
        s.start(p); s.answer(p, .accepted)
        s.arrive(p, reportedAt: 55, at: 70)
        #expect(s.canary(p).arrival?.latency == 70)
        #expect(s.canary(p).verdict == .late)
    }
}

@Suite struct RaceAndDuplicateTests {
    @Test func receiptsOutOfOrderNeverGoBackToPending() {
        var s = Scenario()
        let p = s.plan()
        s.start(p); s.answer(p, .accepted)
        #expect(s.receipt(.delivered, at: 5).match == .matched(canaryID: "c1"))
        #expect(s.receipt(.pending, at: 6).match == .matched(canaryID: "c1"))
        #expect(s.canary(p).receiptStatus == .delivered)
        #expect(s.canary(p).receiptCount == 2)
    }

    @Test func conflictingFinalReceiptsKeepTheFirstAndAreRecorded() {
        var s = Scenario()
        let p = s.plan()
        s.start(p); s.answer(p, .accepted)
        s.receipt(.delivered, at: 5)
        s.receipt(.failed, at: 6)
        #expect(s.canary(p).receiptStatus == .delivered)
        #expect(s.canary(p).facts.contains(.conflictingReceipts))
    }

    @Test func duplicateReceiptChangesNothingButTheCounter() {
        var s = Scenario()
        let p = s.plan()
        s.start(p); s.answer(p, .accepted)
        s.receipt(.delivered, at: 5)
        let before = s.canary(p)
        let result = s.receipt(.delivered, at: 7)
        #expect(result.match == .duplicate(canaryID: "c1"))
        let after = s.canary(p)
        #expect(after.receiptStatus == before.receiptStatus)
        #expect(after.duplicateCount == before.duplicateCount + 1)
        #expect(after.facts == [.duplicateReceipt])
    }

    @Test func duplicateArrivalChangesNothingButTheCounter() {
        var s = Scenario()
        let p = s.plan()
        s.start(p); s.answer(p, .accepted)
        s.arrive(p, at: 10)
        let result = s.arrive(p, at: 70)
        #expect(result.match == .duplicate(canaryID: "c1"))
        #expect(result.settled.isEmpty)
        let c = s.canary(p)
        #expect(c.verdict == .delivered)
        #expect(c.arrival?.latency == 10)
        #expect(c.duplicateCount == 1)
        #expect(c.facts == [.duplicateArrival])
    }

    @Test func arrivalBeforeTheAPIAnswers() {
        var s = Scenario()
        let p = s.plan()
        s.start(p, at: 0)
        let arrival = s.arrive(p, at: 0.4)
        #expect(arrival.match == .matched(canaryID: "c1"))
        #expect(s.canary(p).verdict == .delivered)
        s.answer(p, .accepted, at: 0.9)
        let c = s.canary(p)
        #expect(c.submit?.outcome == .accepted)
        #expect(c.submitEndedAt == Scenario.at(0.9))
        #expect(c.verdict == .delivered)
        #expect(c.facts.isEmpty)
    }

    @Test func arrivalBeforeAnAPIErrorRecordsTheDisagreement() {
        var s = Scenario()
        let p = s.plan()
        s.start(p)
        s.arrive(p, at: 0.4)
        s.answer(p, .error, messageID: nil, at: 30)
        #expect(s.canary(p).verdict == .delivered)
        #expect(s.canary(p).facts == [.apiErrorButArrived])
    }

    @Test func receiptBeforeTheAPIAnswerIsHeldThenClaimed() {
        var s = Scenario()
        let p = s.plan()
        s.start(p)
        let early = s.receipt(.delivered, messageID: "SM-fast", reference: 77, at: 0.5)
        #expect(early.match == .unmatched(.unknownMessageID, canaryID: nil))
        let answered = s.answer(p, .accepted, messageID: "SM-fast", at: 1)
        #expect(answered.claimedReceipts.map(\.reference) == [77])
        #expect(answered.claimedReceipts.map(\.canaryID) == ["c1"])
        #expect(s.canary(p).receiptStatus == .delivered)
    }

    @Test func oneRoutesFloodOfEarlyReceiptsLeavesRoomForTheOthers() {
        var s = Scenario()
        s.correlator = Correlator(configuration: CorrelatorConfiguration(maximumOrphanReceipts: 10, maximumOrphanReceiptsPerRoute: 4))
        for index in 0..<20 { s.receipt(.delivered, messageID: "junk-\(index)", route: "flooded", reference: Int64(index), at: 0.2) }
        let p = s.plan()
        s.start(p)
        s.receipt(.delivered, messageID: "SM-fast", reference: 77, at: 0.5)
        let answered = s.answer(p, .accepted, messageID: "SM-fast", at: 1)
        #expect(answered.claimedReceipts.map(\.reference) == [77], "the flooded route took the room of every route")
    }

    @Test func heldReceiptsExpire() {
        var s = Scenario()
        let p = s.plan()
        s.start(p)
        s.receipt(.delivered, messageID: "SM-slow", at: 0.5)
        s.advance(to: 700)
        let answered = s.answer(p, .accepted, messageID: "SM-slow", at: 701)
        #expect(answered.claimedReceipts.isEmpty)
        #expect(s.canary(p).receiptStatus == nil)
    }

    @Test func receiptsMatchByTokenWhenTheProviderEchoesIt() {
        var s = Scenario()
        let p = s.plan()
        s.start(p); s.answer(p, .accepted, messageID: nil)
        let result = s.receipt(.delivered, messageID: nil, token: p.token, at: 4)
        #expect(result.match == .matched(canaryID: "c1"))
    }

    @Test func messageIDsAreScopedByRoute() {
        var s = Scenario()
        let p = s.plan()
        s.start(p); s.answer(p, .accepted, messageID: "SAME")
        #expect(s.receipt(.delivered, messageID: "SAME", route: "other", at: 4).match
                == .unmatched(.unknownMessageID, canaryID: nil))
    }

    @Test func aTokenMatchesOnlyTheCanariesOfTheReceiptsOwnRoute() {
        // Tokens are in every message sent: one route's hook must not change another route's canaries with them.
        var s = Scenario()
        let p = s.plan()
        s.start(p); s.answer(p, .accepted, messageID: nil)
        #expect(s.receipt(.delivered, messageID: nil, token: p.token, route: "other", at: 4).match
                == .unmatched(.unknownMessageID, canaryID: nil))
        #expect(s.canary(p).receiptStatus == nil)
        #expect(s.receipt(.delivered, messageID: nil, token: p.token, route: "r1", at: 5).match == .matched(canaryID: "c1"))
    }

    @Test func unknownTokenAndNoTokenAreUnmatchedWithTheirReason() {
        var s = Scenario()
        let p = s.plan()
        s.start(p); s.answer(p, .accepted)
        let stranger = Token(payload: 0xDEAD_BEEF)
        #expect(s.arrive(p, body: "Lastmile check \(stranger)", at: 5).match == .unmatched(.unknownToken, canaryID: nil))
        #expect(s.arrive(p, body: "Your verification code is 123456", at: 6).match == .unmatched(.noToken, canaryID: nil))
        #expect(s.canary(p).arrival == nil)
    }

    @Test func aWrongCheckSymbolDoesNotMatch() {
        var s = Scenario()
        let p = s.plan()
        s.start(p); s.answer(p, .accepted)
        var text = Array(p.token.description)
        text[8] = text[8] == "0" ? "1" : "0"
        let result = s.arrive(p, body: "Lastmile check \(String(text))", at: 5)
        #expect(result.match?.canaryID == nil)
        #expect(s.canary(p).arrival == nil)
    }

    @Test func alteredBodyStillMatches() {
        var s = Scenario()
        let p = s.plan()
        s.start(p); s.answer(p, .accepted)
        let text = p.token.description.lowercased()
        let body = "FreeMsg: lastmile check \(text.prefix(4)) \(text.dropFirst(4)) STOP to end"
        #expect(s.arrive(p, body: body, at: 5).match == .matched(canaryID: "c1"))
        #expect(s.canary(p).facts == [.alteredBody])
    }

    @Test func aSecondSubmitAnswerIsIgnored() {
        var s = Scenario()
        let p = s.plan()
        s.start(p); s.answer(p, .accepted, messageID: "A")
        let again = s.answer(p, .error, messageID: nil, at: 3)
        #expect(again.changed.isEmpty)
        #expect(s.canary(p).submit?.outcome == .accepted)
    }

    @Test func startingTheSameCanaryTwiceChangesNothing() {
        var s = Scenario()
        let p = s.plan()
        s.start(p)
        #expect(s.start(p, at: 5).changed.isEmpty)
        #expect(s.canary(p).submitStartedAt == Scenario.at(0))
    }
}

@Suite struct RestartTests {
    @Test func aCanaryStillSubmittingBecomesAnUnknownSubmitThatStillMatches() {
        var s = Scenario()
        let p = s.plan()
        s.start(p)
        let stored = s.canary(p)

        var restarted = Correlator()
        let restored = restarted.restore(stored)
        #expect(restored.changed.first?.submit?.outcome == .unknown)
        #expect(restarted.canary(id: p.id)?.state == .submitted)
        let arrival = restarted.ingest(ArrivalReport(receiver: "rx1", from: p.from, body: p.body,
                                                     ingestedAt: Scenario.at(30)))
        #expect(arrival.match == .matched(canaryID: p.id))
        #expect(restarted.canary(id: p.id)?.verdict == .delivered)
    }

    @Test func anUnknownSubmitWithNoArrivalIsLost() {
        var s = Scenario()
        let p = s.plan()
        s.start(p)
        var restarted = Correlator()
        _ = restarted.restore(s.canary(p))
        let result = restarted.advance(to: Scenario.at(900))
        #expect(result.settled == [p.id])
        #expect(restarted.canary(id: p.id)?.verdict == .lost)
    }

    @Test func restoredCanariesPastTheirDeadlineSettleOnTheFirstTick() {
        var s = Scenario()
        let p = s.plan()
        s.start(p); s.answer(p, .accepted, messageID: "X1")
        var restarted = Correlator()
        _ = restarted.restore(s.canary(p))
        #expect(restarted.ingest(ReceiptReport(route: "r1", providerMessageID: "X1", status: .delivered,
                                                rawStatus: "delivered", ingestedAt: Scenario.at(10))).match
                == .matched(canaryID: p.id))
        let result = restarted.advance(to: Scenario.at(86_400))
        #expect(result.settled == [p.id])
        #expect(restarted.canary(id: p.id)?.facts == [.falseReceipt])
    }
}

@Suite struct MemoryBoundTests {
    @Test func settledCanariesAreForgottenAfterTheRetention() {
        var s = Scenario(correlator: Correlator(configuration: CorrelatorConfiguration(settledRetention: 3_600)))
        let p = s.plan()
        s.start(p); s.answer(p, .accepted)
        s.arrive(p, at: 10)
        s.advance(to: 3_000)
        #expect(s.correlator.heldCount == 1)
        #expect(s.correlator.releasedCount == 0)
        s.advance(to: 3_611)
        #expect(s.correlator.heldCount == 0)
        #expect(s.correlator.releasedCount == 1)
        #expect(s.arrive(p, at: 3_700).match == .unmatched(.unknownToken, canaryID: nil))
    }

    @Test func aForgottenCanarysPlaceIsReusedWithoutMixingItUp() {
        var s = Scenario(correlator: Correlator(configuration: CorrelatorConfiguration(settledRetention: 3_600)))
        let old = (0..<3).map { s.plan(id: "old\($0)") }
        for (index, plan) in old.enumerated() {
            s.start(plan)
            s.answer(plan, .accepted, messageID: "OLD\(index)")
            s.arrive(plan, at: 10)
        }
        s.advance(to: 3_700)
        #expect(s.correlator.heldCount == 0)
        // New canaries take the forgotten ones' places; nothing of the old ones answers for them.
        let new = (0..<4).map { s.plan(id: "new\($0)") }
        for (index, plan) in new.enumerated() {
            s.start(plan, at: 3_800)
            s.answer(plan, .accepted, messageID: "NEW\(index)", at: 3_801)
        }
        #expect(s.correlator.heldCount == 4)
        #expect(s.correlator.inFlightCount == 4)
        #expect(s.arrive(old[1], at: 3_810).match == .unmatched(.unknownToken, canaryID: nil))
        #expect(s.receipt(.delivered, messageID: "OLD2", at: 3_811).match == .unmatched(.unknownMessageID, canaryID: nil))
        #expect(s.receipt(.delivered, messageID: "NEW2", at: 3_812).match == .matched(canaryID: "new2"))
        #expect(s.arrive(new[3], at: 3_813).match == .matched(canaryID: "new3"))
        #expect(s.correlator.canary(token: new[0].token)?.id == "new0")
        #expect(s.correlator.canary(id: "old0") == nil)
        let settled = s.advance(to: 3_800 + 901).settled
        #expect(Set(settled) == ["new0", "new1", "new2"])
        #expect(s.correlator.allHeld().map(\.id).sorted() == ["new0", "new1", "new2", "new3"])
    }

    @Test func heldReceiptsAreBounded() {
        var s = Scenario(correlator: Correlator(configuration: CorrelatorConfiguration(maximumOrphanReceipts: 3)))
        for index in 0..<10 { s.receipt(.delivered, messageID: "M\(index)", at: 1) }
        let p = s.plan()
        s.start(p)
        #expect(s.answer(p, .accepted, messageID: "M9").claimedReceipts.isEmpty)
        var q = s.plan(id: "c2")
        q.id = "c2"
        s.start(q)
        #expect(s.answer(q, .accepted, messageID: "M2").claimedReceipts.count == 1)
    }

    @Test func manyCanariesSettleInDeadlineOrder() {
        var s = Scenario()
        var plans: [CanaryPlan] = []
        for index in 0..<500 {
            let p = s.plan(id: "c\(index)", deadline: TimeInterval(100 + (index * 37) % 500))
            plans.append(p)
            s.start(p); s.answer(p, .accepted, messageID: "m\(index)")
        }
        var settledSoFar = 0
        for second in stride(from: 0, through: 700, by: 50) {
            let result = s.advance(to: TimeInterval(second))
            settledSoFar += result.settled.count
            #expect(result.settledCanaries.allSatisfy { $0.settledAt! <= Scenario.at(TimeInterval(second)) })
            let expected = plans.filter { $0.deadline <= TimeInterval(second) }.count
            #expect(settledSoFar == expected)
        }
        #expect(s.correlator.inFlightCount == 0)
    }
}

@Suite struct TransitionTests {
    @Test func eachStepReportsWhatChangedOnce() {
        var s = Scenario()
        let p = s.plan()
        #expect(s.start(p).transitions.map(\.kind) == [.started])
        #expect(s.answer(p, .accepted).transitions.map(\.kind) == [.answered(.accepted)])
        #expect(s.receipt(.pending, at: 2).transitions.isEmpty)
        #expect(s.receipt(.delivered, at: 3).transitions.map(\.kind) == [.finalReceipt(.delivered)])
        #expect(s.receipt(.failed, at: 4).transitions.map(\.kind) == [.factsAdded([.conflictingReceipts])])
        #expect(s.arrive(p, from: "OTHER", at: 5).transitions.map(\.kind) == [.factsAdded([.alteredSender]), .settled(.delivered)])
        #expect(s.arrive(p, at: 6).transitions.map(\.kind) == [.factsAdded([.duplicateArrival])])
        #expect(s.advance(to: 10_000).transitions.isEmpty)
    }

    @Test func aLateArrivalAfterTheDeadlineSettlesOnceAndReportsOneChangedCanary() {
        var s = Scenario()
        let p = s.plan(deadline: 900)
        s.start(p); s.answer(p, .accepted)
        let result = s.arrive(p, at: 950)
        #expect(result.changed.count == 1)
        #expect(result.transitions.map(\.kind) == [.factsAdded([.silence]), .settled(.lost), .factsAdded([.arrivedAfterSettlement])])
    }
}

@Suite struct RequestStartTests {
    @Test func latencyAndDeadlineCountFromWhenTheRequestBegan() {
        var s = Scenario()
        let p = s.plan(threshold: 60, deadline: 900)
        s.start(p, at: 0)
        _ = s.correlator.submitAnswered(id: p.id, answer: SubmitAnswer(outcome: .accepted, providerMessageID: "m"),
                                        at: Scenario.at(0.5), requestStartedAt: Scenario.at(0.2))
        #expect(s.canary(p).submitStartedAt == Scenario.at(0.2))
        #expect(s.advance(to: 900.1).settled.isEmpty)
        #expect(s.advance(to: 900.2).settled == [p.id])
    }

    @Test func anEarlierArrivalKeepsTheFirstStart() {
        var s = Scenario()
        let p = s.plan()
        s.start(p, at: 0)
        s.arrive(p, at: 0.3)
        _ = s.correlator.submitAnswered(id: p.id, answer: SubmitAnswer(outcome: .accepted), at: Scenario.at(0.5),
                                        requestStartedAt: Scenario.at(0.2))
        #expect(s.canary(p).submitStartedAt == Scenario.at(0))
        #expect(abs((s.canary(p).arrival?.latency ?? 0) - 0.3) < 1e-6)
    }
}

@Suite struct SteadyClockTests {
    /// A system clock that an operator (or NTP) steps while canaries are in flight.
    final class SteppingClocks: Sendable {
        let state = Mutex<(real: Double, monotonic: Double)>((1_800_000_000, 100))
        func pass(_ seconds: Double) { state.withLock { $0.real += seconds; $0.monotonic += seconds } }
        func step(_ seconds: Double) { state.withLock { $0.real += seconds } }
        var real: Date { Date(timeIntervalSince1970: state.withLock { $0.real }) }
        var monotonic: Double { state.withLock { $0.monotonic } }
    }

    @Test(arguments: [-3_600.0, 3_600.0, -5.0])
    func latencyStaysRightWhenTheWallClockSteps(step: Double) throws {
        let clocks = SteppingClocks()
        let clock = SteadyClock(real: { clocks.real }, monotonic: { clocks.monotonic })
        var correlator = Correlator()
        let token = Token(payload: 4_242)
        let plan = CanaryPlan(id: "c", token: token, route: "r", carrier: "c", probe: "p", receiver: "x", to: "+1", from: "S",
                              body: "b \(token)", threshold: 60, deadline: 900)
        _ = correlator.submitStarted(plan, at: clock.now)
        clocks.pass(10)
        clocks.step(step)
        clocks.pass(20)
        // The report reached the socket 2 s ago by the (stepped) real clock.
        let socketTime = clocks.real.addingTimeInterval(-2)
        _ = correlator.ingest(ArrivalReport(receiver: "x", from: "S", body: plan.body, ingestedAt: try #require(clock.instant(fromReal: socketTime))))
        let canary = correlator.canary(id: "c")!
        #expect(abs((canary.arrival?.latency ?? 0) - 28) < 1e-6)
        #expect(canary.verdict == .delivered)
    }
}

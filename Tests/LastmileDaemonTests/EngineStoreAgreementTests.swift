import Foundation
import HTTP
import LastmileBase
import LastmileCore
@testable import LastmileDaemon
import LastmileProviders
import LastmileStore
import LastmileTestSupport
import Synchronization
import Testing

/// What the engine holds in memory and what the store holds stay the same story.
@Suite struct EngineStoreAgreementTests {
    /// Every change carries whole canary rows: if a receipt's change reached the store after the
    /// arrival's that followed it, the stored canary would lose its arrival and its verdict.
    @Test func stepsOnOneCanaryReachTheStoreInTheOrderTheyWereCorrelated() async throws {
        let directory = try TemporaryDirectory()
        let store = try CanaryStore(path: directory.path("order.db"))
        defer { store.beginClosing() }
        let clock = ManualClock()
        let engine = CanaryEngine(store: store, metrics: DaemonMetrics(version: "t"), clock: clock)
        var plans: [CanaryPlan] = []
        for index in 0..<80 {
            let token = Token(payload: 0x10_0000_0000 + UInt64(index))
            let plan = CanaryPlan(id: "c\(index)", token: token, route: "r", carrier: "C", probe: "p", receiver: "v", to: "+1",
                                  from: "LASTMILE", body: "Lastmile check \(token)", threshold: 60, deadline: 600)
            try await engine.start(plan)
            try await engine.answer(canaryID: plan.id, SubmitAnswer(outcome: .accepted, providerMessageID: "M\(index)"))
            plans.append(plan)
        }
        // Each canary's receipt and arrival race each other through the engine and the store.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, plan) in plans.enumerated() {
                group.addTask {
                    _ = try await engine.ingest(receipts: [ParsedReceipt(messageID: "M\(index)", status: .delivered, rawStatus: "DELIVRD")],
                                                route: "r", rawPayload: Data(), at: clock.now)
                }
                group.addTask {
                    _ = try await engine.ingest(arrivals: [ParsedArrival(from: "LASTMILE", to: nil, body: plan.body, receivedAt: nil)],
                                                receiver: "v", rawPayload: Data(), at: clock.now)
                }
            }
            try await group.waitForAll()
        }
        for plan in plans {
            let stored = try #require(try store.canary(id: plan.id))
            #expect(stored.arrival != nil, "\(plan.id)")
            #expect(stored.receiptStatus == .delivered, "\(plan.id)")
            #expect(stored.verdict == .delivered, "\(plan.id)")
        }
    }

    @Test func afterAFailedCommitStepsAreRefusedUntilTheStoresStateIsTakenBack() async throws {
        let directory = try TemporaryDirectory()
        let store = try await directory.store(named: "full.db", roomForPages: 100)
        defer { store.beginClosing() }
        let clock = ManualClock()
        let engine = CanaryEngine(store: store, metrics: DaemonMetrics(version: "t"), clock: clock)
        let token = Token(payload: 0x20_0000_0001)
        let plan = CanaryPlan(id: "c", token: token, route: "r", carrier: "C", probe: "p", receiver: "v", to: "+1",
                              from: "LASTMILE", body: "Lastmile check \(token)", threshold: 60, deadline: 600)
        try await engine.start(plan)
        try await engine.answer(canaryID: "c", SubmitAnswer(outcome: .accepted, providerMessageID: "M"))
        let arrival = ParsedArrival(from: "LASTMILE", to: nil, body: plan.body, receivedAt: nil)
        // The disk is too full for this request's body: correlated, but not stored.
        await #expect(throws: (any Error).self) {
            try await engine.ingest(arrivals: [arrival], receiver: "v", rawPayload: Data(repeating: 0x41, count: 4 << 20), at: clock.now)
        }
        // Until the store's state is back, a step is refused (a hook answers 503 and is sent again),
        // not judged against an arrival the store never had.
        await #expect(throws: EngineRecovering.self) {
            try await engine.ingest(arrivals: [arrival], receiver: "v", rawPayload: Data(), at: clock.now)
        }
        #expect(try await engine.recoverIfAheadOfStore())
        #expect(try await engine.recoverIfAheadOfStore() == false)
        // Sent again, the arrival is the canary's first, not a duplicate of one never stored.
        let matches = try await engine.ingest(arrivals: [arrival], receiver: "v", rawPayload: Data(), at: clock.now)
        #expect(matches == [ReportMatch.matched(canaryID: "c")])
        #expect(try store.canary(id: "c")?.verdict == .delivered)
    }
}

/// The API's answer is worth waiting for: thrown away, its canary would settle as lost.
@Suite struct AnswerRecordingTests {
    /// An engine on a fresh store, refusing steps as a recovering one does, and a sender whose log is kept.
    struct Recovering {
        let directory: TemporaryDirectory
        let store: CanaryStore
        let engine: CanaryEngine
        let sender: CanarySender
        let lines: @Sendable () -> [String]

        init(storeNamed name: String, startingCanary plan: CanaryPlan? = nil) async throws {
            directory = try TemporaryDirectory()
            store = try CanaryStore(path: directory.path(name))
            let clock = ManualClock()
            engine = CanaryEngine(store: store, metrics: DaemonMetrics(version: "t"), clock: clock)
            let (sink, lines) = LogSink.memory()
            self.lines = lines
            sender = CanarySender(engine: engine, limits: SendLimits(), client: HTTPClient(), metrics: DaemonMetrics(version: "t"),
                                  logger: Logger(minimum: .info, sink: sink), clock: clock)
            if let plan { try await engine.start(plan) }
            // As a new leader does, or a failed write elsewhere: the engine refuses steps until it has recovered.
            await engine.refuseStepsUntilRecovered()
        }
    }

    @Test func anAnswerThatComesWhileTheEngineRecoversIsStoredOnceItHasRecovered() async throws {
        let token = Token(payload: 0x30_0000_0001)
        let plan = CanaryPlan(id: "c", token: token, route: "r", carrier: "C", probe: "p", receiver: "v", to: "+1",
                              from: "LASTMILE", body: "Lastmile check \(token)", threshold: 60, deadline: 600)
        let recovering = try await Recovering(storeNamed: "answer.db", startingCanary: plan)
        defer { recovering.store.beginClosing() }
        let engine = recovering.engine
        let answer = SubmitAnswer(outcome: .accepted, providerMessageID: "M-1")
        await #expect(throws: EngineRecovering.self) { try await engine.answer(canaryID: "c", answer) }
        // The sender's first attempt is refused; between attempts, the engine recovers.
        let pauses = Mutex(0)
        await recovering.sender.record(answer, canaryID: "c", requestStartedAt: nil, waitingAtMost: .seconds(600)) { _ in
            pauses.withLock { $0 += 1 }
            _ = try await engine.recover()
        }
        #expect(pauses.withLock { $0 } == 1)
        let stored = try #require(try recovering.store.canary(id: "c"))
        #expect(stored.submit?.outcome == .accepted)
        #expect(stored.submit?.providerMessageID == "M-1")
        #expect(recovering.lines().contains { $0.contains("the API's answer stored") }, "\(recovering.lines())")
    }

    @Test func anAnswerTheEngineNeverTakesIsGivenUpAfterItsPatience() async throws {
        let recovering = try await Recovering(storeNamed: "never.db")
        defer { recovering.store.beginClosing() }
        await recovering.sender.record(SubmitAnswer(outcome: .accepted, providerMessageID: "M"), canaryID: "gone", requestStartedAt: nil,
                                       waitingAtMost: .milliseconds(50)) { _ in }
        #expect(recovering.lines().contains { $0.contains("the API's answer was not stored") }, "\(recovering.lines())")
    }
}

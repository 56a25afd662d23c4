import Foundation
import Glibc
import HTTP
import LastmileBase
import LastmileConfig
import LastmileProviders
import LastmileCore
import LastmileTestSupport
import Synchronization
import Testing
@testable import LastmileDaemon

@Suite struct SendLimitsTests {
    let noon = Date(timeIntervalSince1970: 1_800_000_000 - 1_800_000_000.truncatingRemainder(dividingBy: 86_400) + 43_200)

    @Test func concurrencyIsPerRouteAndReleased() {
        let limits = SendLimits()
        #expect(limits.acquire(route: "a", concurrency: 2, dailyCap: nil, at: noon) == nil)
        #expect(limits.acquire(route: "a", concurrency: 2, dailyCap: nil, at: noon) == nil)
        #expect(limits.acquire(route: "a", concurrency: 2, dailyCap: nil, at: noon) == .concurrency)
        #expect(limits.acquire(route: "b", concurrency: 2, dailyCap: nil, at: noon) == nil)
        limits.release(route: "a")
        #expect(limits.acquire(route: "a", concurrency: 2, dailyCap: nil, at: noon) == nil)
        #expect(limits.inFlightTotal == 3)
    }

    @Test func theDailyCapCountsSendsAndResetsAtMidnightUTC() {
        let limits = SendLimits()
        limits.seedSentToday(["a": 4], day: SendLimits.day(of: noon))
        #expect(limits.acquire(route: "a", concurrency: 10, dailyCap: 5, at: noon) == nil)
        limits.release(route: "a")
        #expect(limits.acquire(route: "a", concurrency: 10, dailyCap: 5, at: noon) == .dailyCap)
        let tomorrow = noon.addingTimeInterval(12 * 3_600 + 1)
        #expect(limits.acquire(route: "a", concurrency: 10, dailyCap: 5, at: tomorrow) == nil)
    }
}

@Suite struct SchedulerTests {
    static func context(interval: String, jitter: String = "0s", probes: Int = 1) throws -> DaemonContext {
        var text = ConfigText.httpRoute() + """
            [[receiver]]
            name = "phone"
            number = "+15551230001"
            carrier = "C"
            source = "json"
            secret = "arrival-token"

            """
        for index in 0..<probes {
            text += "[[probe]]\nname = \"p\(index)\"\nroute = \"r\"\nreceivers = [\"phone\"]\ninterval = \"\(interval)\"\njitter = \"\(jitter)\"\n"
        }
        let result = ConfigLoader.load(text: Array(text.utf8), path: "/tmp/scheduler-test.toml", catalogue: .standard, environment: [:])
        let configuration = try #require(result.configuration, "\(result.diagnostics)")
        return DaemonContext(configuration: configuration, loadedAt: Date())
    }

    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state
        }
    }

    /// Runs the schedule over simulated time in 10 ms steps; returns each probe's run times.
    static func simulate(_ context: DaemonContext, seconds: Double, stallAt: Double? = nil, stallFor: Double = 0) -> [String: [Double]] {
        var schedule = ProbeSchedule()
        var generator = SeededGenerator(state: 42)
        var runs: [String: [Double]] = [:]
        var now = 0.0
        let probes = context.configuration.probes
        while now < seconds {
            schedule.update(probes, now: now, using: &generator)
            for probe in schedule.takeDue(probes, now: now, using: &generator) { runs[probe.name, default: []].append(now) }
            now += 0.01
            if let stall = stallAt, now >= stall, now < stall + 0.01 { now += stallFor }
        }
        return runs
    }

    @Test func eachProbeRunsOnItsIntervalWithJitterAndFirstRunsSpread() throws {
        let runs = Self.simulate(try Self.context(interval: "10s", jitter: "2s", probes: 20), seconds: 600)
        #expect(runs.count == 20)
        let firsts = runs.values.map { $0[0] }
        #expect(firsts.allSatisfy { $0 < 12 })
        #expect(Set(firsts.map { Int($0) }).count > 8, "first runs are spread over the interval: \(firsts.sorted())")
        for (_, times) in runs {
            #expect((58...61).contains(times.count), "\(times.count)")
            for (earlier, later) in zip(times, times.dropFirst()) {
                #expect(later - earlier >= 8 - 0.02 && later - earlier <= 12 + 0.02, "\(later - earlier)")
            }
        }
    }

    @Test func slotsMissedWhileStalledAreSkippedNotBurst() throws {
        let runs = Self.simulate(try Self.context(interval: "1s"), seconds: 30, stallAt: 10, stallFor: 5)
        let times = try #require(runs["p0"])
        // One run catches up the missed slot on resuming; the rest keep the grid.
        let afterStall = times.filter { $0 >= 15 }
        #expect(afterStall.count >= 14 && afterStall.count <= 16)
        for (earlier, later) in zip(afterStall, afterStall.dropFirst()) {
            #expect(later - earlier > 0.5, "a burst after the stall: \(afterStall)")
        }
    }

    @Test func theLoopFiresAndBeats() async throws {
        let context = try Self.context(interval: "100ms", probes: 2)
        let fires = Mutex(0)
        let beats = Mutex(0)
        let scheduler = Scheduler(hooks: Scheduler.Hooks(context: { context }, fire: { _, _, _ in fires.withLock { $0 += 1 } },
                                                         heartbeat: { beats.withLock { $0 += 1 } }), tick: .milliseconds(50))
        let task = Task { await scheduler.run() }
        // Waits on the behaviour: the suite starts beside every other, and a busy machine can keep
        // the scheduler's wake-ups waiting for seconds before its first fires.
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while (fires.withLock({ $0 }) < 4 || beats.withLock({ $0 }) < 2) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        task.cancel()
        #expect(fires.withLock { $0 } >= 4)
        #expect(beats.withLock { $0 } >= 2)
    }
}

@Suite struct DaemonMetricsTests {
    @Test func everyConfiguredPairHasItsSeriesFromTheStart() throws {
        let metrics = DaemonMetrics(version: "test")
        metrics.seed([DaemonMetrics.Pair(route: "r", carrier: "EE", probe: "p")])
        let text = metrics.render()
        for series in [#"lastmile_canaries_sent_total{carrier="EE",probe="p",route="r"} 0"#,
                       #"lastmile_canary_submissions_total{carrier="EE",result="error",route="r"} 0"#,
                       #"lastmile_canary_verdicts_total{carrier="EE",route="r",verdict="lost"} 0"#,
                       #"lastmile_canary_lost_total{carrier="EE",receipt="delivered",route="r"} 0"#,
                       #"lastmile_canary_receipts_total{carrier="EE",route="r",status="expired"} 0"#,
                       #"lastmile_canaries_in_flight{carrier="EE",route="r"} 0"#,
                       #"lastmile_canaries_skipped_total{reason="daily_cap",route="r"} 0"#,
                       #"lastmile_canary_delivery_seconds_bucket{carrier="EE",route="r",le="+Inf"} 0"#,
                       #"lastmile_build_info{version="test"} 1"#] {
            #expect(text.contains(series + "\n"), "missing \(series)")
        }
        // Sorted and stable: rendering twice gives the same text, families in name order.
        #expect(metrics.render().replacingOccurrences(of: #"process_\S+ \S+"#, with: "", options: .regularExpression)
                == text.replacingOccurrences(of: #"process_\S+ \S+"#, with: "", options: .regularExpression))
        let names = text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] }
        #expect(names == names.sorted())
    }

    @Test func transitionsMoveTheCounters() {
        let metrics = DaemonMetrics(version: "test")
        var correlator = Correlator()
        let token = Token(payload: 77)
        let plan = CanaryPlan(id: "c", token: token, route: "r", carrier: "EE", probe: "p", receiver: "x", to: "+1",
                              from: "S", body: "b \(token)", threshold: 10, deadline: 60)
        let start = Date(timeIntervalSince1970: 1_000)
        metrics.apply(correlator.submitStarted(plan, at: start), at: start)
        metrics.apply(correlator.submitAnswered(id: "c", answer: SubmitAnswer(outcome: .accepted, providerMessageID: "m"),
                                                at: start.addingTimeInterval(0.3)), at: start)
        metrics.apply(correlator.ingest(ReceiptReport(route: "r", providerMessageID: "m", status: .delivered, rawStatus: "d",
                                                      ingestedAt: start.addingTimeInterval(2))), at: start.addingTimeInterval(2))
        #expect(metrics.value(.canariesInFlight, ["route": "r", "carrier": "EE"]) == 1)
        metrics.apply(correlator.advance(to: start.addingTimeInterval(60)), at: start.addingTimeInterval(60))
        #expect(metrics.value(.canariesSent, ["route": "r", "carrier": "EE", "probe": "p"]) == 1)
        #expect(metrics.value(.canarySubmissions, ["route": "r", "carrier": "EE", "result": "accepted"]) == 1)
        #expect(metrics.value(.canaryReceipts, ["route": "r", "carrier": "EE", "status": "delivered"]) == 1)
        #expect(metrics.value(.canaryVerdicts, ["route": "r", "carrier": "EE", "verdict": "lost"]) == 1)
        #expect(metrics.value(.canaryLost, ["route": "r", "carrier": "EE", "receipt": "delivered"]) == 1)
        #expect(metrics.value(.canaryFalseReceipts, ["route": "r", "carrier": "EE"]) == 1)
        #expect(metrics.value(.canariesInFlight, ["route": "r", "carrier": "EE"]) == 0)
        #expect(metrics.render().contains(#"lastmile_canary_submit_seconds_bucket{carrier="EE",route="r",le="0.5"} 1"#))
    }

    @Test func aDeliveredReceiptAfterTheDeadlineOfALostCanaryCountsAsFalseInTheMetricsAndTheSLO() {
        let metrics = DaemonMetrics(version: "test")
        let slo = SLOMonitor(definitions: [SLODefinition(name: "honest", indicator: .receiptHonesty, objective: 0.99, window: 86_400)],
                             extraWindows: [])
        var correlator = Correlator()
        let token = Token(payload: 78)
        let plan = CanaryPlan(id: "c", token: token, route: "r", carrier: "EE", probe: "p", receiver: "x", to: "+1",
                              from: "S", body: "b \(token)", threshold: 10, deadline: 60)
        let start = Date(timeIntervalSince1970: 1_000)
        func step(_ result: CorrelationResult, at time: Date) {
            metrics.apply(result, at: time)
            slo.record(result, at: time)
        }
        step(correlator.submitStarted(plan, at: start), at: start)
        step(correlator.submitAnswered(id: "c", answer: SubmitAnswer(outcome: .accepted, providerMessageID: "m"), at: start), at: start)
        step(correlator.advance(to: start.addingTimeInterval(60)), at: start.addingTimeInterval(60))
        #expect(metrics.value(.canaryLost, ["route": "r", "carrier": "EE", "receipt": "none"]) == 1)
        #expect((metrics.value(.canaryFalseReceipts, ["route": "r", "carrier": "EE"]) ?? 0) == 0)
        // The provider's DELIVRD comes two minutes after the deadline: a lie all the same.
        let late = start.addingTimeInterval(180)
        step(correlator.ingest(ReceiptReport(route: "r", providerMessageID: "m", status: .delivered, rawStatus: "DELIVRD", ingestedAt: late)),
             at: late)
        #expect(metrics.value(.canaryReceipts, ["route": "r", "carrier": "EE", "status": "delivered"]) == 1)
        #expect(metrics.value(.canaryFalseReceipts, ["route": "r", "carrier": "EE"]) == 1)
        let counts = slo.statuses(at: late.addingTimeInterval(1)).first { $0.key.route == "r" }?.windows[86_400]
        #expect(counts == EventCounts(good: 0, total: 1), "\(String(describing: counts))")
    }
}

@Suite struct LoggerTests {
    @Test func linesAreKeyValueWithJournaldPriorities() {
        let (sink, lines) = LogSink.memory()
        let logger = Logger(minimum: .info, sink: sink)
        logger.info("canary sent", [("canary", "c-1"), ("route", "us long"), ("reason", "say \"hi\"\nbye")])
        logger.debug("hidden")
        logger.error("boom")
        #expect(lines() == [#"<6>level=info msg="canary sent" canary=c-1 route="us long" reason="say \"hi\"\nbye""# + "\n",
                            "<3>level=error msg=boom\n"])
    }

    @Test func unicodeLineBreaksC1ControlsAndBidiOverridesAreQuotedAndEscaped() {
        let (sink, lines) = LogSink.memory()
        let logger = Logger(minimum: .info, sink: sink)
        logger.info("receipt", [("status", "OK\u{2028}level=error"), ("id", "a\u{9b}2J"), ("file", "x\u{202e}txt.exe"), ("plain", "DELIVRD")])
        #expect(lines() == [#"<6>level=info msg=receipt status="OK\u{2028}level=error" id="a\u{9b}2J" file="x\u{202e}txt.exe" plain=DELIVRD"# + "\n"])
    }

    @Test func aThrottleLetsSomeLinesOfAKindThroughAndSaysHowManyItHeldBack() {
        let throttle = LogThrottle(limit: 3, per: .seconds(10))
        let start = ContinuousClock.now
        #expect((0..<5).map { throttle.admit("arrival refused", at: start + .seconds($0)) } == [0, 0, 0, nil, nil])
        // Another kind has its own share.
        #expect(throttle.admit("malformed arrival", at: start + .seconds(5)) == 0)
        // The next window lets lines through again, the first saying how many were held back.
        #expect(throttle.admit("arrival refused", at: start + .seconds(10)) == 2)
        #expect(throttle.admit("arrival refused", at: start + .seconds(11)) == 0)

        let (sink, lines) = LogSink.memory()
        let logger = Logger(minimum: .info, sink: sink)
        let refusals = LogThrottle(limit: 1, per: .seconds(3_600))
        for _ in 0..<3 { logger.warning("arrival refused", throttledBy: refusals, [("receiver", "phone")]) }
        #expect(lines() == ["<4>level=warning msg=\"arrival refused\" receiver=phone\n"])
    }

    @Test func aStreamWhoseReaderIsGoneLosesTheLineNotTheProcess() {
        var ends: [Int32] = [-1, -1]
        #expect(pipe(&ends) == 0)
        defer { close(ends[1]) }
        let previous = signal(SIGPIPE, SIG_IGN)
        defer { signal(SIGPIPE, previous) }
        let stream = StandardStream(descriptor: ends[1])
        #expect(stream.write("level=info msg=before\n") == true)
        close(ends[0])
        #expect(stream.write("level=info msg=after\n") == false)
    }

    @Test func fieldsAreBuiltOnlyForLinesWritten() {
        let (sink, lines) = LogSink.memory()
        let logger = Logger(minimum: .warning, sink: sink)
        let built = Mutex(0)
        func fields() -> [(String, String)] {
            built.withLock { $0 += 1 }
            return [("report", "r-1")]
        }
        logger.info("arrival", fields())
        logger.debug("arrival", fields())
        #expect(built.withLock { $0 } == 0)
        logger.warning("arrival refused", fields())
        #expect(built.withLock { $0 } == 1)
        #expect(lines() == ["<4>level=warning msg=\"arrival refused\" report=r-1\n"])
    }
}

@Suite struct DetectionRestoreTests {
    @Test func aRestoreCountsEachCanaryOnceEvenWhenTheRecoverySettledItAndRunsAgain() async throws {
        let configuration = try SchedulerTests.context(interval: "1m").configuration
        let detection = DetectionMonitor(configuration)
        let sent = Date(timeIntervalSince1970: 1_800_000_000)
        let plan = CanaryPlan(id: "c1", token: Token(payload: 1), route: "r", carrier: "C", probe: "p0", receiver: "phone",
                              to: "+15551230001", from: "LASTMILE", body: "x", threshold: 60, deadline: 900)
        // Settled as lost by the recovery itself: stored (so among the history read back) and still held.
        var lost = Canary(plan: plan, submitStartedAt: sent)
        lost.submit = SubmitAnswer(outcome: .accepted)
        lost.verdict = .lost
        lost.settledAt = sent.addingTimeInterval(900)
        let history = [DetectionRecord(route: "r", carrier: "C", receiver: "phone", sentAt: sent, outcome: .failed, latency: nil,
                                       decidedAt: sent.addingTimeInterval(900))]
        let now = sent.addingTimeInterval(1_000)
        // Twice, as after a failed write the engine recovers again with the board still full.
        detection.restore(settled: history, inFlight: [lost], at: now)
        detection.restore(settled: history, inFlight: [lost], at: now)
        let evaluation = await offThePool { detection.evaluate(at: now) }
        let reading = try #require(evaluation.pairs[DetectionBoard.Pair(route: "r", carrier: "C")])
        #expect(reading.totalEvents == 1)
        #expect(reading.badEvents == 1)
    }
}

@Suite struct HookTargetTests {
    @Test func theTokenLeavesTheStoredTargetHoweverItIsWritten() {
        #expect(HookTarget.withoutToken("/hooks/receipts/k?canary=X&token=s3cret&status=1") == "/hooks/receipts/k?canary=X&status=1")
        // Escaped, the verifier still reads it as the token: so must the stripping.
        #expect(HookTarget.withoutToken("/hooks/receipts/k?canary=X&%74oken=s3cret&status=1") == "/hooks/receipts/k?canary=X&status=1")
        #expect(HookTarget.withoutToken("/hooks/receipts/k?tok%65n=s3cret") == "/hooks/receipts/k")
        #expect(HookTarget.withoutToken("/hooks/receipts/k?token&tokens=1") == "/hooks/receipts/k?tokens=1")
        #expect(HookTarget.withoutToken("/hooks/receipts/k") == "/hooks/receipts/k")
    }
}

@Suite struct OutboxKeyTests {
    @Test func aNotifierIsKeptByItsAddressWithoutWritingItDown() throws {
        let hook = URL(string: "https://hooks.example.com/services/T000/B000/s3cretpath")
        let short = NotifierConfiguration(kind: .webhook, url: hook, command: [], timeout: 5)
        let long = NotifierConfiguration(kind: .webhook, url: hook, command: [], timeout: 30)
        let other = NotifierConfiguration(kind: .webhook, url: URL(string: "https://hooks.example.com/other"), command: [], timeout: 5)
        #expect(short.outboxKey == long.outboxKey, "a changed timeout keeps what waits")
        #expect(short.outboxKey != other.outboxKey)
        #expect(!short.outboxKey.contains("s3cret") && short.outboxKey.hasPrefix("webhook:"))
        // SHA-256 of "abc", the FIPS 180-2 example.
        #expect(Crypto.hex(Crypto.digest(.sha256, of: Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}

@Suite struct SLOMonitorTests {
    /// A rebuild reads the store while the engine goes on settling: what settled meanwhile is
    /// counted once, whether the read saw it or not.
    @Test func aSettlementDuringARebuildIsCountedOnce() {
        let definition = SLODefinition(name: "accepted-delivery", indicator: .acceptedDelivery, objective: 0.99, window: 3_600)
        let slo = SLOMonitor(definitions: [definition], extraWindows: [])
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func settled(_ id: String, _ verdict: Verdict) -> SettledCanary {
            SettledCanary(route: "r", carrier: "c", verdict: verdict, submitOutcome: .accepted, receiptSaidDelivered: false,
                          falseReceipt: false, settledAt: now.addingTimeInterval(-60), canaryID: id)
        }
        let read = [settled("stored", .delivered), settled("seen", .delivered)]
        slo.beginRebuild()
        // Committed before the read began (so in it) but recorded during it; and one after it.
        slo.record([settled("seen", .delivered), settled("missed", .lost)])
        slo.replace(definitions: [definition], extraWindows: [], pairs: [DaemonMetrics.Pair(route: "r", carrier: "c", probe: "p")],
                    canaries: read)
        #expect(slo.statuses(at: now).first?.windows[3_600] == EventCounts(good: 2, total: 3))
        // Done: later replaces count only what they read.
        slo.record([settled("later", .delivered)])
        slo.replace(definitions: [definition], extraWindows: [], pairs: [DaemonMetrics.Pair(route: "r", carrier: "c", probe: "p")],
                    canaries: read)
        #expect(slo.statuses(at: now).first?.windows[3_600] == EventCounts(good: 2, total: 2))
    }

    /// A pair a reload removed neither comes back with its canaries still in flight nor with a
    /// rebuild that reads its history: it could page for a route that no longer exists.
    @Test func aRemovedPairIsNotCountedAgain() {
        let definition = SLODefinition(name: "accepted-delivery", indicator: .acceptedDelivery, objective: 0.99, window: 3_600)
        let slo = SLOMonitor(definitions: [definition], extraWindows: [])
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func lost(_ route: String) -> SettledCanary {
            SettledCanary(route: route, carrier: "c", verdict: .lost, submitOutcome: .accepted, receiptSaidDelivered: false,
                          falseReceipt: false, settledAt: now.addingTimeInterval(-60), canaryID: UUID().uuidString)
        }
        let kept = DaemonMetrics.Pair(route: "kept", carrier: "c", probe: "p"), removed = DaemonMetrics.Pair(route: "gone", carrier: "c", probe: "p")
        slo.prepare([kept, removed])
        slo.record([lost("gone")])
        #expect(Set(slo.statuses(at: now).map(\.key.route)) == ["kept", "gone"])
        slo.prepare([kept])
        #expect(slo.statuses(at: now).map(\.key.route) == ["kept"])
        slo.record((0..<20).map { _ in lost("gone") })
        #expect(slo.statuses(at: now).map(\.key.route) == ["kept"])
        slo.replace(definitions: [definition], extraWindows: [], pairs: [kept], canaries: (0..<20).map { _ in lost("gone") })
        #expect(slo.statuses(at: now).map(\.key.route) == ["kept"])
    }
}

@Suite struct SecretRotationTests {
    static func context(secret: String, at now: Date) throws -> DaemonContext {
        let text = """
            [[route]]
            name = "r"
            provider = "vonage"
            from = "+15005550006"
            credentials = { api_key = "k", api_secret = "s" }
            hook_secret = "\(secret)"
            [[receiver]]
            name = "phone"
            number = "+15551230001"
            carrier = "C"
            source = "json"
            secret = "\(secret)"
            [[probe]]
            name = "p"
            route = "r"
            receivers = ["phone"]
            interval = "2m"
            deadline = "15m"
            """
        let result = ConfigLoader.load(text: Array(text.utf8), path: "rotation.toml", catalogue: .standard, environment: [:])
        return DaemonContext(configuration: try #require(result.configuration, "\(result.diagnostics)"), loadedAt: now)
    }

    static func request(_ target: String, token: String) -> HTTPRequest {
        HTTPRequest(head: HTTPRequestHead(method: "POST", target: target, headers: HTTPHeaders([("Authorization", "Bearer \(token)")])),
                    body: [])
    }

    @Test func aRotatedReceiptSecretStillLetsTheOldOneThroughUntilTheDeadlineOfCanariesInFlight() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let before = try Self.context(secret: "old-secret", at: now)
        let after = try Self.context(secret: "new-secret", at: now).honouring(before, now: now)
        let receipts = try #require(after.routes["r"]?.verifier)
        func passes(_ token: String, at time: Date) -> Bool { receipts.check(Self.request("/hooks/receipts/r", token: token), url: nil, now: time) == nil }
        #expect(passes("new-secret", at: now))
        #expect(passes("old-secret", at: now.addingTimeInterval(899)))
        #expect(!passes("old-secret", at: now.addingTimeInterval(900)))
        #expect(!passes("guess", at: now))
        // A phone never had a canary's callback: its hook takes the new secret alone, at once.
        let arrivals = try #require(after.receivers["phone"]?.verifier)
        #expect(arrivals.check(Self.request("/hooks/arrivals/phone", token: "old-secret"), url: nil, now: now) != nil)
        #expect(arrivals.check(Self.request("/hooks/arrivals/phone", token: "new-secret"), url: nil, now: now) == nil)
        // A second rotation after the first one's grace keeps only the secret it replaced.
        let later = now.addingTimeInterval(1_000)
        let third = try Self.context(secret: "third-secret", at: later).honouring(after, now: later)
        let latest = try #require(third.routes["r"]?.verifier)
        #expect(latest.check(Self.request("/hooks/receipts/r", token: "new-secret"), url: nil, now: later) == nil)
        #expect(latest.check(Self.request("/hooks/receipts/r", token: "old-secret"), url: nil, now: later) != nil)
    }
}

@Suite struct LoopPlacementTests {
    @Test func onlyHooksWithSmallBodiesAndHealthChecksAreHandledOnTheLoops() {
        func request(_ path: String, body: Int) -> HTTPRequest {
            HTTPRequest(head: HTTPRequestHead(method: "POST", target: path, headers: HTTPHeaders([("Host", "x")])),
                        body: [UInt8](repeating: 0x61, count: body))
        }
        #expect(DaemonServers.handledOnLoop(request("/hooks/receipts/twilio", body: 900)))
        #expect(DaemonServers.handledOnLoop(request("/hooks/arrivals/phone", body: DaemonServers.largestBodyOnLoop)))
        // A large body costs its signature check and parsing in proportion: not on a loop all its connections share.
        #expect(!DaemonServers.handledOnLoop(request("/hooks/receipts/twilio", body: DaemonServers.largestBodyOnLoop + 1)))
        #expect(!DaemonServers.handledOnLoop(request("/hooks/receipts/twilio", body: 1 << 20)))
        #expect(DaemonServers.handledOnLoop(request("/healthz", body: 0)))
        #expect(!DaemonServers.handledOnLoop(request("/metrics", body: 0)))
    }
}

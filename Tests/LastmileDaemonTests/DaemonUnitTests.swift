import Foundation
import LastmileConfig
import LastmileCore
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
        var text = """
            [[route]]
            name = "r"
            provider = "http"
            from = "LASTMILE"
            [route.request]
            url = "http://127.0.0.1:9/send"
            json = { to = "{to}" }
            [route.receipt]
            delivered = ["DELIVRD"]
            [[receiver]]
            name = "phone"
            number = "+15551230001"
            carrier = "C"
            source = "json"

            """
        for index in 0..<probes {
            text += "[[probe]]\nname = \"p\(index)\"\nroute = \"r\"\nreceivers = [\"phone\"]\ninterval = \"\(interval)\"\njitter = \"\(jitter)\"\n"
        }
        let result = ConfigLoader.load(text: Array(text.utf8), path: "/tmp/scheduler-test.toml", environment: [:])
        let configuration = try #require(result.configuration, "\(result.diagnostics)")
        return DaemonContext(configuration: configuration, loadedAt: Date())
    }

    final class Fires: Sendable {
        let times = Mutex<[String: [ContinuousClock.Instant]]>([:])
        func record(_ probe: String) { times.withLock { $0[probe, default: []].append(.now) } }
        var all: [String: [ContinuousClock.Instant]] { times.withLock { $0 } }
    }

    @Test func eachProbeFiresOnItsIntervalWithFirstRunsSpread() async throws {
        let context = try Self.context(interval: "200ms", probes: 4)
        let fires = Fires()
        let beats = Mutex(0)
        let scheduler = Scheduler(hooks: Scheduler.Hooks(context: { context }, fire: { probe, _ in fires.record(probe.name) },
                                                         heartbeat: { beats.withLock { $0 += 1 } }), tick: .milliseconds(50))
        let start = ContinuousClock.now
        let task = Task { await scheduler.run() }
        try await Task.sleep(for: .milliseconds(1_050))
        task.cancel()
        let all = fires.all
        #expect(all.count == 4)
        for (_, times) in all {
            // About five runs a second each, never a burst: consecutive runs are an interval apart.
            #expect((4...6).contains(times.count), "\(times.count)")
            #expect(start.duration(to: times[0]) < .milliseconds(260))
            for (earlier, later) in zip(times, times.dropFirst()) {
                let gap = earlier.duration(to: later)
                #expect(gap > .milliseconds(170) && gap < .milliseconds(260), "\(gap)")
            }
        }
        #expect(beats.withLock { $0 } >= 10)
    }

    @Test func aSlowFireDoesNotCauseABurstAfterwards() async throws {
        let context = try Self.context(interval: "100ms")
        let fires = Fires()
        let stalled = Mutex(false)
        let scheduler = Scheduler(hooks: Scheduler.Hooks(context: { context }, fire: { probe, _ in
            fires.record(probe.name)
            // The first fire stalls the loop for half a second, as a stopped process would.
            if !stalled.withLock({ let was = $0; $0 = true; return was }) { usleep(500_000) }
        }, heartbeat: {}), tick: .milliseconds(20))
        let task = Task { await scheduler.run() }
        try await Task.sleep(for: .milliseconds(900))
        task.cancel()
        let times = fires.all["p0"] ?? []
        // Missed slots are skipped: after the stall the next runs keep the interval.
        for (earlier, later) in zip(times.dropFirst(), times.dropFirst(2)) {
            #expect(earlier.duration(to: later) > .milliseconds(70))
        }
        #expect(times.count <= 6)
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
                       #"lastmile_canary_delivery_seconds_bucket{carrier="EE",le="+Inf",route="r"} 0"#,
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
        #expect(metrics.value("lastmile_canaries_in_flight", ["route": "r", "carrier": "EE"]) == 1)
        metrics.apply(correlator.advance(to: start.addingTimeInterval(60)), at: start.addingTimeInterval(60))
        #expect(metrics.value("lastmile_canaries_sent_total", ["route": "r", "carrier": "EE", "probe": "p"]) == 1)
        #expect(metrics.value("lastmile_canary_submissions_total", ["route": "r", "carrier": "EE", "result": "accepted"]) == 1)
        #expect(metrics.value("lastmile_canary_receipts_total", ["route": "r", "carrier": "EE", "status": "delivered"]) == 1)
        #expect(metrics.value("lastmile_canary_verdicts_total", ["route": "r", "carrier": "EE", "verdict": "lost"]) == 1)
        #expect(metrics.value("lastmile_canary_lost_total", ["route": "r", "carrier": "EE", "receipt": "delivered"]) == 1)
        #expect(metrics.value("lastmile_canaries_in_flight", ["route": "r", "carrier": "EE"]) == 0)
        #expect(metrics.render().contains(#"lastmile_canary_submit_seconds_bucket{carrier="EE",le="0.5",route="r"} 1"#))
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
}

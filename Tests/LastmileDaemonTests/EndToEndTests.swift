import Foundation
import Glibc
import LastmileTestSupport
import Testing

extension WholeSystemSuites {
    /// `lastmile run` as a real process against a fake provider over loopback HTTP.
    @Suite(.serialized) struct EndToEndTests {
        static func config(providerPort: UInt16, interval: String = "500ms", extra: String = "") -> String {
            """
            [server]
            listen = "127.0.0.1:0"

            [defaults]
            interval = "\(interval)"
            jitter = "100ms"
            threshold = "3s"
            deadline = "4s"

            [[route]]
            name = "bulk"
            provider = "http"
            from = "LASTMILE"
            secret = { env = "BULK_TOKEN" }
            hook_secret = "receipt-token"

            [route.request]
            method = "POST"
            url = "http://127.0.0.1:\(providerPort)/api/v1/send_sms"
            headers = { Authorization = "Bearer {secret}" }
            json = { to = "{to}", text = "{body}", sender = "{from}" }

            [route.response]
            message_id = "messages.0.bx_message_id"
            status = "messages.0.status"
            accepted = ["QUEUED"]

            [route.receipt]
            message_id = "message_id"
            status = "status"
            delivered = ["DELIVRD"]
            failed = ["UNDELIV"]

            [[receiver]]
            name = "phone"
            number = "+15551230001"
            carrier = "Test \\"Carrier\\""
            source = "json"
            secret = "arrival-token"

            [[probe]]
            name = "bulk-phone"
            route = "bulk"
            receivers = ["phone"]
            \(extra)
            """
        }

        static func metricValue(_ text: String, _ series: String) -> Double? {
            text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last!) }
        }

        @Test func canariesReceiptsArrivalsVerdictsAndMetricsAgree() async throws {
            let provider = try FakeProvider()
            let directory = try TemporaryDirectory()
            let path = try directory.write("lastmile.toml", Self.config(providerPort: provider.port))
            let daemon = try DaemonProcess(arguments: ["run", "--config", path, "--store", directory.path("store.db")],
                                           environment: ["BULK_TOKEN": "provider-secret-xyz"])
            let port = try #require(await daemon.waitForPort(), "daemon did not start: \(daemon.logText)")

            _ = await provider.waitForSends(3)
            // The three most recent sends: young enough to arrive on time even on a busy machine.
            let sends = provider.messages
            #expect(sends.count >= 3)
            let sent = Array(sends.suffix(3))
            #expect(sent.allSatisfy { $0.authorization == "Bearer provider-secret-xyz" && $0.to == "+15551230001" && $0.from == "LASTMILE" })
            // Give the daemon a moment to record the API's answers before receipts come.
            try await Task.sleep(for: .microseconds(300_000))

            for message in sent {
                let receipt = try await LoopbackHTTP.postJSON(port: port, path: "/hooks/receipts/bulk",
                                                        ["message_id": message.messageID, "status": "DELIVRD"],
                                                        headers: [("Authorization", "Bearer receipt-token")])
                #expect(receipt.status == 200, "\(receipt.body)")
            }
            // The first two arrive (one of them twice); the third is lost although its receipt said delivered.
            for message in sent.prefix(2) {
                let arrival = try await LoopbackHTTP.postJSON(port: port, path: "/hooks/arrivals/phone",
                                                        ["from": "LASTMILE", "to": "+15551230001", "body": message.text],
                                                        headers: [("Authorization", "Bearer arrival-token")])
                #expect(arrival.status == 200, "\(arrival.body)")
            }
            let duplicate = try await LoopbackHTTP.postJSON(port: port, path: "/hooks/arrivals/phone",
                                                      ["from": "LASTMILE", "body": sent[0].text],
                                                      headers: [("Authorization", "Bearer arrival-token")])
            #expect(duplicate.status == 200)
            let stranger = try await LoopbackHTTP.postJSON(port: port, path: "/hooks/arrivals/phone",
                                                     ["from": "+1999", "body": "hi!"], headers: [("Authorization", "Bearer arrival-token")])
            #expect(stranger.status == 200)

            // Refusals: unauthenticated, malformed, unknown hook; none changes anything.
            #expect(try await LoopbackHTTP.postJSON(port: port, path: "/hooks/arrivals/phone", ["from": "x", "body": sent[2].text]).status == 401)
            #expect(try await LoopbackHTTP.postJSON(port: port, path: "/hooks/arrivals/phone", ["from": "x", "body": sent[2].text],
                                              headers: [("Authorization", "Bearer wrong")]).status == 403)
            #expect(try await LoopbackHTTP.request(port: port, method: "POST", path: "/hooks/receipts/bulk", body: "{not json",
                                             headers: [("Content-Type", "application/json"), ("Authorization", "Bearer receipt-token")]).status == 400)
            #expect(try await LoopbackHTTP.postJSON(port: port, path: "/hooks/receipts/nope", ["message_id": "x", "status": "DELIVRD"]).status == 404)

            // Switch the probe off (a reload), so that once the deadline has passed nothing changes any more.
            try Data(Self.config(providerPort: provider.port, extra: "enabled = false").utf8).write(to: URL(fileURLWithPath: path))
            daemon.signal(SIGHUP)
            #expect(await daemon.waitForLog("configuration reloaded") != nil)

            // Past the deadline (4s) everything has settled.
            try await Task.sleep(for: .microseconds(4_500_000))
            let ids = Set(sent.map(\.messageID))
            let list = try await LoopbackHTTP.request(port: port, path: "/api/canaries?route=bulk&limit=1000")
            #expect(list.status == 200)
            let canaries = try #require(try JSONSerialization.jsonObject(with: Data(list.body.utf8)) as? [[String: Any]])
            let ours = canaries.filter { (($0["submit"] as? [String: Any])?["message_id"] as? String).map(ids.contains) ?? false }
            #expect(ours.count == 3)
            let verdicts = Dictionary(uniqueKeysWithValues: ours.map {
                ((($0["submit"] as! [String: Any])["message_id"] as! String), $0["verdict"] as? String ?? "none")
            })
            // Arrived, and judged by the latency measured: on time within the 3 s threshold, late after it
            // (a loaded machine can make this test's own posts slow).
            for message in sent.prefix(2) {
                let canary = try #require(ours.first { ($0["submit"] as? [String: Any])?["message_id"] as? String == message.messageID })
                let latency = try #require(canary["latency_seconds"] as? Double, "no arrival recorded")
                #expect(verdicts[message.messageID] == (latency <= 3 ? "delivered" : "late"), "latency \(latency)")
            }
            #expect(verdicts[sent[2].messageID] == "lost")
            let lost = try #require(ours.first { ($0["verdict"] as? String) == "lost" })
            #expect((lost["facts"] as? [String]) == ["false_receipt"])

            let timeline = try await LoopbackHTTP.request(port: port, path: "/api/canaries/\(ours[0]["token"] as! String)")
            #expect(timeline.status == 200)
            #expect(timeline.body.contains("\"events\""))
            // Every scheduled canary keeps when its schedule wanted it, which comes at or before its submit.
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            for canary in ours {
                let scheduled = try #require((canary["scheduled_at"] as? String).flatMap(formatter.date(from:)), "\(canary)")
                let started = try #require((canary["submit_started_at"] as? String).flatMap(formatter.date(from:)))
                #expect(scheduled <= started.addingTimeInterval(0.001) && started.timeIntervalSince(scheduled) < 5, "\(scheduled) \(started)")
            }

            let metrics = try await LoopbackHTTP.request(port: port, path: "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
            let base = #"route="bulk""#
            let carrier = #"carrier="Test \"Carrier\"""#
            let delivered = Self.metricValue(metrics.body, #"lastmile_canary_verdicts_total{\#(carrier),\#(base),verdict="delivered"}"#)
            let lostCount = Self.metricValue(metrics.body, #"lastmile_canary_verdicts_total{\#(carrier),\#(base),verdict="lost"}"#)
            let allCanaries = canaries.filter { $0["verdict"] is String }
            #expect(delivered == Double(allCanaries.filter { $0["verdict"] as? String == "delivered" }.count))
            #expect(lostCount == Double(allCanaries.filter { $0["verdict"] as? String == "lost" }.count))
            #expect(Self.metricValue(metrics.body, #"lastmile_canary_lost_total{\#(carrier),receipt="delivered",\#(base)}"#) ?? 0 >= 1)
            #expect(Self.metricValue(metrics.body, #"lastmile_reports_duplicate_total{kind="arrival"}"#) == 1)
            #expect(Self.metricValue(metrics.body, #"lastmile_reports_unmatched_total{kind="arrival",reason="no_token"}"#) == 1)
            #expect(Self.metricValue(metrics.body, #"lastmile_webhook_requests_total{code="401",hook="arrivals"}"#) == 1)
            #expect(Self.metricValue(metrics.body, #"lastmile_canary_verdicts_total{\#(carrier),\#(base),verdict="send_error"}"#) == 0)
            for secret in ["provider-secret-xyz", "arrival-token", "receipt-token"] {
                #expect(!metrics.body.contains(secret) && !daemon.logText.contains(secret))
            }

            if ProcessInfo.processInfo.environment["CI"] == "true" || Promtool.path != nil {
                let check = try await Promtool.checkMetrics(metrics.body)
                #expect(check.status == 0, "promtool: \(check.output)")
            }

            daemon.signal(SIGTERM)
            #expect(await daemon.waitForExit(timeout: 5) == 0)
            #expect(daemon.logText.contains("msg=stopped"))
        }
    }
}

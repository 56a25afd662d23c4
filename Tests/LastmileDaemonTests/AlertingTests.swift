import Foundation
import Glibc
import HTTP
import LastmileStore
import LastmileTestSupport
import Synchronization
import Testing

extension WholeSystemSuites {
    /// Alerts end to end: a route that accepts everything and delivers nothing must page through
    /// Alertmanager's v2 API, a webhook and a command, show in `/metrics`, and resolve on reload.
    @Suite(.serialized) struct AlertingTests {
        /// Records the JSON bodies posted to it, by path.
        final class Recorder: Sendable {
            final class Posts: Sendable {
                let storage = Mutex<[(path: String, body: Data)]>([])
            }

            let server: HTTPServer
            let port: UInt16
            private let posts = Posts()

            /// Listens on `port` (0: a free one).
            init(port: UInt16 = 0) throws {
                let posts = self.posts
                server = HTTPServer { request in
                    let body = Data(request.body)
                    guard request.method == "POST", (try? JSONSerialization.jsonObject(with: body)) != nil else {
                        return .error(.badRequest, "expected a JSON POST")
                    }
                    posts.storage.withLock { $0.append((request.path, body)) }
                    return .json(Array("{}".utf8))
                }
                self.port = try server.listen(host: "127.0.0.1", port: port)
            }

            func bodies(at path: String) -> [Any] {
                posts.storage.withLock { $0.filter { $0.path == path }.map(\.body) }.compactMap { try? JSONSerialization.jsonObject(with: $0) }
            }

            /// Whether `condition` holds within `timeout` seconds, asked every tenth of a second.
            func waitFor(timeout: Double = 40, _ condition: @Sendable () async -> Bool) async -> Bool {
                await Eventually.holds(within: .seconds(timeout), poll: .milliseconds(100), condition)
            }
        }

        /// One SLO, the sequential detectors and one fast page tier (all switched on or off), with no notifiers yet.
        static func pagingOnLoss(enabled: Bool) -> String {
            """

            [[slo]]
            name = "accepted-delivery"
            indicator = "accepted_delivery"
            objective = 0.99
            window = "1h"

            [alerting]
            min_events = 5
            detectors = \(enabled)
            evaluation_interval = "200ms"

            [[alerting.tier]]
            severity = "page"
            long = "5m"
            short = "1m"
            factor = 14.4
            enabled = \(enabled)

            """
        }

        /// `config` with the detectors and the page tier switched off.
        static func pagingSwitchedOff(_ config: String) -> String {
            config.replacingOccurrences(of: "enabled = true", with: "enabled = false")
                .replacingOccurrences(of: "detectors = true", with: "detectors = false")
        }

        static func alerting(recorder: UInt16, log: String, enabled: Bool) -> String {
            pagingOnLoss(enabled: enabled) + """
            [[alerting.notify]]
            kind = "alertmanager"
            url = "http://127.0.0.1:\(recorder)/"

            [[alerting.notify]]
            kind = "webhook"
            url = "http://127.0.0.1:\(recorder)/hook"

            [[alerting.notify]]
            kind = "command"
            command = ["/bin/sh", "-c", "echo \\"$LASTMILE_ALERT_STATUS $LASTMILE_ALERT_NAME $LASTMILE_ALERT_ROUTE\\" >> \(log); grep -E '^Sig(Ign|Blk):' /proc/self/status >> \(log)"]
            """
        }

        /// The alerts of every Alertmanager post, flattened.
        static func alertmanagerAlerts(_ recorder: Recorder) -> [[String: Any]] {
            recorder.bodies(at: "/api/v2/alerts").flatMap { ($0 as? [[String: Any]]) ?? [] }
        }

        @Test func lostCanariesPageThroughEveryNotifierAndResolveOnReload() async throws {
            let provider = try FakeProvider()
            let recorder = try Recorder()
            let directory = try TemporaryDirectory()
            let log = directory.path("alerts.log")
            let config = EndToEndTests.config(providerPort: provider.port, interval: "150ms",
                                              extra: Self.alerting(recorder: recorder.port, log: log, enabled: true))
            let path = try directory.write("lastmile.toml", config)
            let daemon = try DaemonProcess(arguments: ["run", "--config", path, "--store", directory.path("store.db")],
                                           environment: ["BULK_TOKEN": "token"])
            let port = try #require(await daemon.waitForPort(), "daemon did not start: \(daemon.logText)")

            // Nothing ever arrives: after the 4 s deadline every canary is lost.
            let paged = await recorder.waitFor { !Self.alertmanagerAlerts(recorder).isEmpty && !recorder.bodies(at: "/hook").isEmpty }
            #expect(paged, "no alert posted: \(daemon.logText)")
            let alert = try #require(Self.alertmanagerAlerts(recorder).first)
            let labels = try #require(alert["labels"] as? [String: String])
            #expect(labels["alertname"] == "AcceptedButUndelivered")
            #expect(labels["severity"] == "page")
            #expect(labels["route"] == "bulk")
            #expect(labels["carrier"] == "Test \"Carrier\"")
            #expect(labels["slo"] == "accepted-delivery")
            let annotations = try #require(alert["annotations"] as? [String: String])
            #expect(annotations["summary"]?.contains("never arrived") == true)
            #expect(annotations["summary"]?.contains("accepted canaries since ") == true)
            #expect(annotations["summary"]?.contains("(healthy loss ") == true)
            #expect(annotations["lost_canaries"]?.contains("/api/canaries?verdict=lost&route=bulk") == true)
            let startsAt = try #require(alert["startsAt"] as? String)
            let endsAt = try #require(alert["endsAt"] as? String)
            #expect(endsAt > startsAt, "a firing alert's endsAt lies ahead")

            let hook = try #require(recorder.bodies(at: "/hook").first as? [String: Any])
            #expect(hook["status"] as? String == "firing")
            #expect(hook["alert"] as? String == "AcceptedButUndelivered")
            #expect((hook["rate"] as? Double ?? 0) > 0.5)

            let commandRan = await recorder.waitFor(timeout: 10) {
                // The command writes its alert line, then its signal masks: wait for all three.
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                return text.contains("firing AcceptedButUndelivered bulk") && text.contains("SigBlk:") && text.contains("SigIgn:")
            }
            #expect(commandRan, "command notifier not run")
            // The daemon ignores SIGTERM, SIGHUP and SIGINT; its commands must not inherit that,
            // or neither their timeout nor `systemctl stop` could end them gracefully.
            let lines = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n")
            for name in ["SigIgn", "SigBlk"] {
                let mask = try #require(lines.first { $0.hasPrefix(name + ":") }.flatMap { UInt64($0.split(separator: "\t").last ?? "", radix: 16) },
                                        "no \(name) line in \(lines)")
                for signalNumber in [SIGHUP, SIGINT, SIGPIPE, SIGTERM] {
                    #expect(mask & (1 << UInt64(signalNumber - 1)) == 0, "\(name) \(String(mask, radix: 16)) holds signal \(signalNumber)")
                }
            }

            let metrics = try await LoopbackHTTP.request(port: port, path: "/metrics").body
            #expect(metrics.contains(#"lastmile_alerts_firing{alertname="AcceptedButUndelivered",carrier="Test \"Carrier\"",receiver="",route="bulk",severity="page",slo="accepted-delivery"} 1"#))
            let budget = try #require(EndToEndTests.metricValue(metrics,
                #"lastmile_slo_error_budget_remaining_ratio{carrier="Test \"Carrier\"",route="bulk",slo="accepted-delivery"}"#))
            #expect(budget < 0, "every canary lost spends more than the budget")
            let checked = try await Promtool.checkMetrics(metrics)
            #expect(checked.status == 0, "\(checked.output)")

            // The webhook hears an alert once when it fires, not at every evaluation.
            try await Task.sleep(for: .seconds(1))
            #expect(recorder.bodies(at: "/hook").count == 1)
            // Delivered, nothing waits for it.
            let afterDelivery = try await LoopbackHTTP.request(port: port, path: "/metrics").body
            let waiting = afterDelivery.split(separator: "\n").filter { $0.hasPrefix(#"lastmile_alert_notifications_waiting{kind="webhook","#) }
            #expect(waiting.count == 1 && waiting.allSatisfy { $0.hasSuffix(" 0") }, "\(waiting)")

            // A restart while firing: the alert is taken back from the store, not fired (and paged) again,
            // and the SLO counts come back from the store. Overdue canaries page before five have
            // settled; wait for five.
            let series = #"lastmile_slo_events{carrier="Test \"Carrier\"",kind="total",route="bulk",slo="accepted-delivery",window="1h"}"#
            @Sendable func settledCount() async -> Double {
                let text = (try? await LoopbackHTTP.request(port: port, path: "/metrics").body) ?? ""
                return EndToEndTests.metricValue(text, series) ?? 0
            }
            _ = await recorder.waitFor(timeout: 30) { await settledCount() >= 5 }
            let counted = await settledCount()
            #expect(counted >= 5)
            daemon.signal(SIGTERM)
            #expect(await daemon.waitForExit(timeout: 20) == 0)
            let restarted = try DaemonProcess(arguments: ["run", "--config", path, "--store", directory.path("store.db")],
                                              environment: ["BULK_TOKEN": "token"])
            let newPort = try #require(await restarted.waitForPort(), "daemon did not restart: \(restarted.logText)")
            let reopened = try await LoopbackHTTP.request(port: newPort, path: "/metrics").body
            #expect(reopened.contains(#"lastmile_alerts_firing{alertname="AcceptedButUndelivered",carrier="Test \"Carrier\"",receiver="",route="bulk",severity="page",slo="accepted-delivery"} 1"#),
                    "the firing alert was not restored")
            let recounted = try #require(EndToEndTests.metricValue(reopened, series))
            #expect(recounted >= counted, "SLO events lost in a restart: \(counted) before, \(recounted) after")
            try await Task.sleep(for: .seconds(1))
            #expect(recorder.bodies(at: "/hook").count == 1, "a restart paged again")
            #expect(!restarted.logText.contains("alert firing"))

            // Switching paging off resolves the alert: Alertmanager gets endsAt ≤ now, the webhook "resolved".
            try Self.pagingSwitchedOff(config)
                .write(toFile: path, atomically: true, encoding: .utf8)
            restarted.signal(SIGHUP)
            let resolved = await recorder.waitFor(timeout: 20) {
                recorder.bodies(at: "/hook").contains { ($0 as? [String: Any])?["status"] as? String == "resolved" }
            }
            #expect(resolved, "no resolution: \(restarted.logText)")
            let resolution = Self.alertmanagerAlerts(recorder).last
            let resolvedEnd = try #require(resolution?["endsAt"] as? String)
            let resolvedStart = try #require(resolution?["startsAt"] as? String)
            #expect(resolvedStart == startsAt, "the restored alert keeps its start")
            #expect(resolvedEnd > resolvedStart)
            let after = try await LoopbackHTTP.request(port: newPort, path: "/metrics").body
            #expect(!after.contains("lastmile_alerts_firing{"))
            #expect(restarted.logText.contains("alert resolved"))
            restarted.signal(SIGTERM)
            #expect(await restarted.waitForExit(timeout: 20) == 0)
        }

        @Test func aPageTheWebhookCouldNotTakeBeforeAStopIsDeliveredAfterTheRestart() async throws {
            let provider = try FakeProvider()
            let hookPort = try LoopbackPort.free()
            let directory = try TemporaryDirectory()
            let store = directory.path("store.db")
            let config = EndToEndTests.config(providerPort: provider.port, interval: "150ms", extra: Self.pagingOnLoss(enabled: true) + """
                [[alerting.notify]]
                kind = "webhook"
                url = "http://127.0.0.1:\(hookPort)/hook"
                """)
            let path = try directory.write("lastmile.toml", config)
            let firing = #"lastmile_alerts_firing{alertname="AcceptedButUndelivered",carrier="Test \"Carrier\"",receiver="",route="bulk",severity="page",slo="accepted-delivery"} 1"#
            let waiting = #"lastmile_alert_notifications_waiting{kind="webhook",notifier="1"}"#

            // The webhook is down while the page fires, and still down when the daemon stops.
            let daemon = try DaemonProcess(arguments: ["run", "--config", path, "--store", store], environment: ["BULK_TOKEN": "token"])
            let port = try #require(await daemon.waitForPort(), "daemon did not start: \(daemon.logText)")
            let held = await Eventually.holds(within: .seconds(40), poll: .milliseconds(100)) {
                let text = (try? await LoopbackHTTP.request(port: port, path: "/metrics").body) ?? ""
                return text.contains(firing) && (EndToEndTests.metricValue(text, waiting) ?? 0) >= 1
            }
            #expect(held, "the page did not fire, or did not wait for the webhook: \(daemon.logText)")
            daemon.signal(SIGTERM)
            #expect(await daemon.waitForExit(timeout: 20) == 0)
            #expect(daemon.logText.contains("alert notifications left to the next start"), "\(daemon.logText)")
            do {
                let stopped = try CanaryStore(path: store)
                #expect(try stopped.outboxEntries().count == 1, "the undelivered page is kept in the store")
                await stopped.close()
            }

            // Restarted with the webhook up: the page is taken back as firing (not fired again), and
            // the webhook hears it from the outbox.
            let recorder = try Recorder(port: hookPort)
            let restarted = try DaemonProcess(arguments: ["run", "--config", path, "--store", store], environment: ["BULK_TOKEN": "token"])
            #expect(await restarted.waitForPort() != nil, "daemon did not restart: \(restarted.logText)")
            let heard = await recorder.waitFor { !recorder.bodies(at: "/hook").isEmpty }
            #expect(heard, "the webhook never heard the page: \(restarted.logText)")
            let hook = try #require(recorder.bodies(at: "/hook").first as? [String: Any])
            #expect(hook["status"] as? String == "firing")
            #expect(hook["route"] as? String == "bulk")
            #expect(!restarted.logText.contains("alert firing"), "the restored page fired again")
            restarted.signal(SIGTERM)
            #expect(await restarted.waitForExit(timeout: 20) == 0)
            #expect(recorder.bodies(at: "/hook").count == 1)
            let after = try CanaryStore(path: store)
            #expect(try after.outboxEntries().isEmpty, "a delivered notice left the outbox")
            await after.close()
        }
    }
}

import Foundation
import Glibc
import HTTP
import LastmileTestSupport
import Testing

extension WholeSystemSuites {
    /// Debian's Alertmanager, started on loopback: it must accept the daemon's alert over its v2 API,
    /// route it to its receiver, and pass on the resolution.
    @Suite(.serialized) struct RealAlertmanagerTests {
        static var binary: String? {
            ["/usr/bin/prometheus-alertmanager", "/usr/local/bin/alertmanager"].first { FileManager.default.isExecutableFile(atPath: $0) }
        }

        @Test func alertmanagerReceivesTheAlertAndItsResolution() async throws {
            let binary = try #require(Self.binary, "prometheus-alertmanager is not installed (apt-get install prometheus-alertmanager)")
            let receiver = try AlertingTests.Recorder()
            let directory = try TemporaryDirectory()
            let amConfig = try directory.write("alertmanager.yml", """
                route:
                  receiver: lastmile-test
                  group_by: [alertname, route, carrier]
                  group_wait: 1s
                  group_interval: 1s
                  repeat_interval: 1h
                receivers:
                  - name: lastmile-test
                    webhook_configs:
                      - url: http://127.0.0.1:\(receiver.port)/alertmanager
                        send_resolved: true
                """)
            let amPort = try LoopbackPort.free()
            let alertmanager = Process()
            alertmanager.executableURL = URL(fileURLWithPath: binary)
            alertmanager.arguments = ["--config.file=\(amConfig)", "--storage.path=\(directory.path("am-data"))",
                                      "--web.listen-address=127.0.0.1:\(amPort)", "--cluster.listen-address="]
            alertmanager.standardOutput = FileHandle.nullDevice
            alertmanager.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: directory.write("am.log", "")))
            try alertmanager.run()
            defer {
                alertmanager.terminate()
                alertmanager.waitUntilExit()
            }
            let amReady = await receiver.waitFor(timeout: 20) {
                (try? await LoopbackHTTP.request(port: amPort, path: "/-/ready"))?.status == 200
            }
            try #require(amReady, "alertmanager did not start: \((try? String(contentsOfFile: directory.path("am.log"), encoding: .utf8)) ?? "")")

            let provider = try FakeProvider()
            var config = EndToEndTests.config(providerPort: provider.port, interval: "150ms", extra: AlertingTests.pagingOnLoss(enabled: true) + """
                [[alerting.notify]]
                kind = "alertmanager"
                url = "http://127.0.0.1:\(amPort)"
                """)
            let path = try directory.write("lastmile.toml", config)
            let daemon = try DaemonProcess(arguments: ["run", "--config", path, "--store", directory.path("store.db")],
                                           environment: ["BULK_TOKEN": "token"])
            _ = try #require(await daemon.waitForPort(), "daemon did not start: \(daemon.logText)")

            // Alertmanager holds it as active and sends it on to its receiver.
            let active = await receiver.waitFor(timeout: 40) { await Self.activeAlerts(port: amPort).contains { Self.isOurs($0) } }
            #expect(active, "alertmanager holds no lastmile alert: \(daemon.logText)")
            let routed = await receiver.waitFor(timeout: 20) { Self.notifications(receiver, status: "firing").contains(where: Self.isOurs) }
            #expect(routed, "alertmanager did not route the alert to its receiver")
            let alert = try #require(await Self.activeAlerts(port: amPort).first(where: Self.isOurs))
            let annotations = alert["annotations"] as? [String: String] ?? [:]
            #expect(annotations["summary"]?.contains("accepted canaries since ") == true)
            #expect((alert["generatorURL"] as? String)?.contains("verdict=lost") == true)

            // Switching paging off resolves it; Alertmanager drops it from the active list and says so.
            config = AlertingTests.pagingSwitchedOff(config)
            try config.write(toFile: path, atomically: true, encoding: .utf8)
            daemon.signal(SIGHUP)
            let resolved = await receiver.waitFor(timeout: 30) { Self.notifications(receiver, status: "resolved").contains(where: Self.isOurs) }
            #expect(resolved, "alertmanager did not pass on the resolution: \(daemon.logText)")
            #expect(await !Self.activeAlerts(port: amPort).contains(where: Self.isOurs))

            daemon.signal(SIGTERM)
            #expect(await daemon.waitForExit(timeout: 20) == 0)
        }

        static func isOurs(_ alert: [String: Any]) -> Bool {
            let labels = alert["labels"] as? [String: String] ?? [:]
            return labels["alertname"] == "AcceptedButUndelivered" && labels["route"] == "bulk" && labels["service"] == "lastmile"
        }

        /// `GET /api/v2/alerts` (active alerts only).
        static func activeAlerts(port: UInt16) async -> [[String: Any]] {
            guard let response = try? await LoopbackHTTP.request(port: port, path: "/api/v2/alerts?active=true&silenced=false"),
                  let alerts = try? JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [[String: Any]] else { return [] }
            return alerts.filter { ($0["status"] as? [String: Any])?["state"] as? String == "active" }
        }

        /// The alerts of Alertmanager's webhook notifications with `status`.
        static func notifications(_ receiver: AlertingTests.Recorder, status: String) -> [[String: Any]] {
            receiver.bodies(at: "/alertmanager").compactMap { $0 as? [String: Any] }
                .flatMap { ($0["alerts"] as? [[String: Any]]) ?? [] }
                .filter { $0["status"] as? String == status }
        }
    }
}

import Foundation
import Glibc
import LastmileBase
import LastmileDaemon
import LastmileTestSupport
import Testing

/// A datagram socket bound at a path, standing in for systemd's notify socket.
final class NotifySocket {
    let path: String
    let descriptor: Int32

    init(directory: TemporaryDirectory) throws {
        path = directory.path("notify.sock")
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else { throw RawConnection.Failure(description: "bind notify socket failed") }
    }

    /// Datagrams received within `timeout` seconds, until one contains `text`.
    func waitFor(_ text: String, timeout: Double) async -> [String] {
        var messages: [String] = []
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count <= 0 {
                try? await Task.sleep(for: .milliseconds(10))
                continue
            }
            if count > 0 {
                let message = String(decoding: buffer[0..<count], as: UTF8.self)
                messages.append(message)
                if message.contains(text) { return messages }
            }
        }
        return messages
    }

    deinit { close(descriptor) }
}

extension WholeSystemSuites {
    @Suite(.serialized) struct LifecycleTests {
        @Test func readyReloadAndStopOverSystemdNotify() async throws {
            let provider = try FakeProvider()
            let directory = try TemporaryDirectory()
            let notify = try NotifySocket(directory: directory)
            let path = try directory.write("lastmile.toml", EndToEndTests.config(providerPort: provider.port, interval: "5s"))
            let daemon = try DaemonProcess(arguments: ["run", "--config", path, "--store", directory.path("store.db")],
                                           environment: ["BULK_TOKEN": "t", "NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "400000"])
            let ready = await notify.waitFor("READY=1", timeout: 20)
            #expect(ready.last?.contains("READY=1") == true, "\(ready) \(daemon.logText)")
            #expect(ready.last?.contains("STATUS=probing 1 probes over 1 routes") == true)
            // While it starts, systemd is asked to wait longer (a migration may outlast TimeoutStartSec).
            #expect(ready.first == "EXTEND_TIMEOUT_USEC=60000000", "\(ready)")
            #expect(await notify.waitFor("WATCHDOG=1", timeout: 3).last == "WATCHDOG=1")
            let port = try #require(await daemon.waitForPort())

            // A broken config: the reload fails, the old one keeps serving, the metric says so.
            try Data("[server]\nlisten = 12\n".utf8).write(to: URL(fileURLWithPath: path))
            daemon.signal(SIGHUP)
            let reloading = await notify.waitFor("reload failed", timeout: 10)
            #expect(reloading.contains { $0.hasPrefix("RELOADING=1\nMONOTONIC_USEC=") })
            #expect(await daemon.waitForLog("reload failed; keeping the running configuration", timeout: 60) != nil, "\(daemon.logText)")
            #expect(daemon.logText.contains("must be a string, not an integer"))
            let metrics = try await LoopbackHTTP.request(port: port, path: "/metrics")
            #expect(metrics.status == 200)
            #expect(EndToEndTests.metricValue(metrics.body, "lastmile_config_last_reload_successful") == 0)
            #expect(try await LoopbackHTTP.request(port: port, path: "/readyz").status == 200)

            // A good config again: the reload succeeds.
            try Data(EndToEndTests.config(providerPort: provider.port, interval: "5s").utf8).write(to: URL(fileURLWithPath: path))
            daemon.signal(SIGHUP)
            #expect(await daemon.waitForLog("configuration reloaded", timeout: 60) != nil, "\(daemon.logText)")
            let after = try await LoopbackHTTP.request(port: port, path: "/metrics")
            #expect(EndToEndTests.metricValue(after.body, "lastmile_config_last_reload_successful") == 1)

            let started = Date()
            daemon.signal(SIGTERM)
            #expect(await notify.waitFor("STOPPING=1", timeout: 5).contains("STOPPING=1"))
            #expect(await daemon.waitForExit(timeout: 5) == 0)
            #expect(Date().timeIntervalSince(started) < 5)
        }

        @Test func aSignalThatComesWhileTheDaemonStartsIsActedOnOnceItHasStarted() async throws {
            let provider = try FakeProvider()
            let directory = try TemporaryDirectory()
            let path = try directory.write("lastmile.toml", EndToEndTests.config(providerPort: provider.port, interval: "5s"))
            // SIGHUP's default action ends the process: one sent during the start must wait for it, then reload.
            let reloading = try DaemonProcess(arguments: ["run", "--config", path, "--store", directory.path("hup.db")],
                                              environment: ["BULK_TOKEN": "t"])
            #expect(await reloading.waitForLog("msg=starting", timeout: 30) != nil, "\(reloading.logText)")
            reloading.signal(SIGHUP)
            #expect(await reloading.waitForLog("configuration reloaded", timeout: 60) != nil, "\(reloading.logText)")
            let port = try #require(await reloading.waitForPort())
            #expect(try await LoopbackHTTP.request(port: port, path: "/readyz").status == 200)
            reloading.signal(SIGTERM)
            #expect(await reloading.waitForExit(timeout: 30) == 0, "\(reloading.logText)")

            // A SIGTERM during the start ends it at once: a stop does not wait for a long migration.
            let stopping = try DaemonProcess(arguments: ["run", "--config", path, "--store", directory.path("term.db")],
                                             environment: ["BULK_TOKEN": "t"])
            #expect(await stopping.waitForLog("msg=starting", timeout: 30) != nil, "\(stopping.logText)")
            stopping.signal(SIGTERM)
            #expect(await stopping.waitForExit(timeout: 60) != nil, "\(stopping.logText)")
        }

        @Test func anAbstractNotifySocketIsAddressedWithoutTrailingNUL() async throws {
            let name = "lastmile-test-\(UUID().uuidString)"
            let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            defer { close(descriptor) }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes = [UInt8(0)] + Array(name.utf8)
            withUnsafeMutableBytes(of: &address.sun_path) { buffer in
                for (index, byte) in bytes.enumerated() { buffer[index] = byte }
            }
            let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
            let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
            #expect(bound == 0)
            let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": "@" + name])
            #expect(notifier.send("STATUS=hello"))
            var buffer = [UInt8](repeating: 0, count: 256)
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            #expect(poll(&entry, 1, 2_000) == 1)
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            #expect(String(decoding: buffer[0..<max(0, count)], as: UTF8.self) == "STATUS=hello")
        }

        @Test func aHangingProviderDoesNotDelayAnotherRoute() async throws {
            let healthy = try FakeProvider()
            let hanging = try FakeProvider()
            hanging.hangSwitch.set(true)
            let directory = try TemporaryDirectory()
            let second = """

                [[route]]
                name = "stuck"
                provider = "http"
                from = "STUCK"
                concurrency = 2
                hook_secret = "stuck-hook-token"

                [route.request]
                url = "http://127.0.0.1:\(hanging.port)/api/v1/send_sms"
                json = { to = "{to}", text = "{body}" }

                [route.receipt]
                delivered = ["DELIVRD"]

                [[probe]]
                name = "stuck-phone"
                route = "stuck"
                receivers = ["phone"]
                interval = "200ms"
                jitter = "0s"
                """
            let path = try directory.write("lastmile.toml", EndToEndTests.config(providerPort: healthy.port, interval: "300ms") + second)
            let daemon = try DaemonProcess(arguments: ["run", "--config", path, "--store", directory.path("store.db")],
                                           environment: ["BULK_TOKEN": "t"])
            let port = try #require(await daemon.waitForPort(), "\(daemon.logText)")
            try await Task.sleep(for: .microseconds(3_000_000))
            // About ten sends in three seconds on the healthy route, whatever the stuck one does.
            #expect(healthy.messages.count >= 5, "\(healthy.messages.count) sends")
            let metrics = try await LoopbackHTTP.request(port: port, path: "/metrics")
            let skipped = EndToEndTests.metricValue(metrics.body, #"lastmile_canaries_skipped_total{reason="concurrency",route="stuck"}"#)
            #expect((skipped ?? 0) >= 5, "\(String(describing: skipped))")
            // The stuck sends are still in flight; once the provider answers, they finish and the daemon stops.
            daemon.signal(SIGTERM)
            try await Task.sleep(for: .microseconds(300_000))
            hanging.hangSwitch.set(false)
            #expect(await daemon.waitForExit(timeout: 5) == 0)
        }

        /// systemd gives services a soft limit of 1024 open files: the daemon raises it to the hard limit.
        @Test func theOpenFileLimitIsRaisedToTheHardLimit() async throws {
            let provider = try FakeProvider()
            let directory = try TemporaryDirectory()
            let path = try directory.write("lastmile.toml", EndToEndTests.config(providerPort: provider.port, interval: "1h"))
            let log = directory.path("daemon.log")
            let daemon = Process()
            daemon.executableURL = URL(fileURLWithPath: "/bin/bash")
            daemon.arguments = ["-c", "ulimit -Sn 256 && exec \"$0\" run --config \"$1\" --store \"$2\" 2> \"$3\"",
                                BuiltProducts.executable("lastmile").path, path, directory.path("store.db"), log]
            daemon.environment = ["BULK_TOKEN": "t", "PATH": "/usr/bin:/bin"]
            try daemon.run()
            // Killed without waiting for it: nothing here may hold a thread of the pool.
            defer { kill(daemon.processIdentifier, SIGKILL) }
            func limits() -> (soft: String, hard: String)? {
                guard let text = ProcFile.text("/proc/\(daemon.processIdentifier)/limits"),
                      let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Max open files") }) else { return nil }
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                return fields.count >= 5 ? (String(fields[3]), String(fields[4])) : nil
            }
            // The limit is raised before the daemon listens; wait for that.
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline, daemon.isRunning,
                  !((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("msg=listening") {
                try await Task.sleep(for: .milliseconds(50))
            }
            let logText = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            #expect(logText.contains("msg=listening"), "\(logText)")
            let current = try #require(limits(), "cannot read the daemon's limits")
            #expect(current.soft == current.hard, "soft \(current.soft), hard \(current.hard)")
            if current.hard != "256" { #expect(logText.contains("open file limit raised")) }
        }

        @Test func metricsAnswerWithinASecondWhile200ConnectionsTrickle() async throws {
            let provider = try FakeProvider()
            let directory = try TemporaryDirectory()
            let path = try directory.write("lastmile.toml", EndToEndTests.config(providerPort: provider.port, interval: "5s"))
            let daemon = try DaemonProcess(arguments: ["run", "--config", path, "--store", directory.path("store.db")],
                                           environment: ["BULK_TOKEN": "t"])
            let port = try #require(await daemon.waitForPort(), "\(daemon.logText)")
            let tricklers = try (0..<200).map { _ in try RawConnection(port: port) }
            let request = Array("GET /metrics HTTP/1.1\r\nHost: x\r\n".utf8)
            for second in 0..<3 {
                for trickler in tricklers { try trickler.send([request[second]]) }
                let started = Date()
                let response = try await LoopbackHTTP.request(port: port, path: "/metrics", timeout: 1)
                #expect(response.status == 200)
                #expect(response.body.contains("lastmile_canaries_sent_total"))
                #expect(Date().timeIntervalSince(started) < 1)
                try await Task.sleep(for: .seconds(1))
            }
            daemon.signal(SIGTERM)
            #expect(await daemon.waitForExit(timeout: 15) == 0)
        }
    }
}

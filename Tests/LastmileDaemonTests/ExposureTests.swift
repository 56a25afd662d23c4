import Foundation
import Glibc
import HTTP
import LastmileBase
import LastmileConfig
import LastmileProviders
import LastmileCore
@testable import LastmileDaemon
import LastmileStore
import LastmileTestSupport
import Synchronization
import Testing

extension WholeSystemSuites {
    /// The daemon as the internet meets it: real loopback HTTP, a real store file.
    @Suite(.serialized) struct ExposureTests {
        /// A daemon in this process on free ports, with its store and the config it was started with.
        struct Running {
            let daemon: Daemon
            let directory: TemporaryDirectory
            let storePath: String

            var port: UInt16 { daemon.port }

            func stop() async { await daemon.stop(grace: 2) }

            func storeSize() -> Int {
                ["", "-wal"].reduce(0) { total, suffix in
                    total + ((try? FileManager.default.attributesOfItem(atPath: storePath + suffix)[.size] as? Int) ?? 0)
                }
            }

            func metrics() async throws -> String {
                try await LoopbackHTTP.request(port: daemon.adminAddress?.port ?? port, path: "/metrics").body
            }
        }

        static func start(_ text: String, admin: Bool = false) async throws -> Running {
            let directory = try TemporaryDirectory()
            let storePath = directory.path("exposure.db")
            let load: @Sendable () -> ConfigLoadResult = {
                ConfigLoader.load(text: Array(text.utf8), path: "exposure.toml", catalogue: .standard, environment: [:])
            }
            let daemon = try await Daemon.start(Daemon.Options(
                loadConfiguration: load, logger: Logger(minimum: .error), notifier: SystemdNotifier(environment: [:]),
                listenOverride: ListenAddress(host: "127.0.0.1", port: 0, isIPv6: false),
                adminListenOverride: admin ? ListenAddress(host: "127.0.0.1", port: 0, isIPv6: false) : nil,
                storePathOverride: storePath))
            return Running(daemon: daemon, directory: directory, storePath: storePath)
        }

        static let routes = """
            [server]
            listen = "127.0.0.1:0"
            public_url = "https://probe.example.net"

            [[route]]
            name = "batch"
            provider = "infobip"
            api_url = "http://127.0.0.1:9"
            from = "LASTMILE"
            credentials = { api_key = "k" }
            hook_secret = "batch-hook-token"

            [[route]]
            name = "signed"
            provider = "twilio"
            api_url = "http://127.0.0.1:9"
            from = "+15005550006"
            credentials = { account_sid = "AC1", auth_token = "twilio-token" }

            [[route]]
            name = "smsc"
            provider = "kannel"
            api_url = "http://127.0.0.1:9"
            from = "+447700900001"
            credentials = { username = "u", password = "p" }
            hook_secret = "kannel-hook-token"

            [[receiver]]
            name = "phone"
            number = "+15551230001"
            carrier = "C"
            source = "json"
            secret = "arrival-token"

            [[receiver]]
            name = "gateway"
            number = "+15551230002"
            carrier = "C"
            source = "android-sms-gateway"
            secret = "signing-key"

            """

        @Test func forgedAndUnsignedReportsAreRefusedCountedAndChangeNothing() async throws {
            let running = try await Self.start(Self.routes)
            let port = running.port
            let attempts: [(String, String, [(String, String)], String, Int)] = [
                ("GET", "/hooks/arrivals/phone?from=%2B15550000000&body=Lastmile+check+ABCDEFGHJ", [], "", 401),
                ("GET", "/hooks/arrivals/gateway?from=%2B15550000000&body=Lastmile+check+ABCDEFGHJ", [], "", 405),
                ("POST", "/hooks/arrivals/phone", [("Content-Type", "application/json")], #"{"from":"+1555","body":"x"}"#, 401),
                ("POST", "/hooks/arrivals/phone", [("Authorization", "Bearer wrong"), ("Content-Type", "application/json")],
                 #"{"from":"+1555","body":"x"}"#, 403),
                ("POST", "/hooks/arrivals/phone?token=", [("Content-Type", "application/json")], #"{"from":"+1555","body":"x"}"#, 403),
                ("POST", "/hooks/arrivals/gateway", [("Content-Type", "application/json")], #"{"event":"sms:received"}"#, 401),
                ("POST", "/hooks/receipts/signed", [("Content-Type", "application/x-www-form-urlencoded")],
                 "MessageSid=SM1&MessageStatus=delivered", 401),
                ("POST", "/hooks/receipts/signed", [("Content-Type", "application/x-www-form-urlencoded"), ("X-Twilio-Signature", "AAAA")],
                 "MessageSid=SM1&MessageStatus=delivered", 403),
                ("POST", "/hooks/receipts/batch", [("Content-Type", "application/json")], #"{"results":[]}"#, 401),
                // A web page in the operator's browser, even with the right token, is refused.
                ("POST", "/hooks/arrivals/phone", [("Authorization", "Bearer arrival-token"), ("Origin", "https://evil.example"),
                                                   ("Content-Type", "application/json")], #"{"from":"+1555","body":"x"}"#, 403),
            ]
            for (method, path, headers, body, expected) in attempts {
                let response = try await LoopbackHTTP.request(port: port, method: method, path: path, body: body, headers: headers)
                #expect(response.status == expected, "\(method) \(path): \(response.status) \(response.body)")
                #expect(response.body.contains(": "), "a refusal says why: \(response.body)")
                if expected == 405 { #expect(response.header("Allow") == "POST") }
            }
            let stored = try CanaryStore(path: running.storePath)
            #expect(try stored.rowCounts().receipts == 0 && stored.rowCounts().arrivals == 0)
            await stored.close()
            let metrics = try await running.metrics()
            #expect(metrics.contains(#"lastmile_webhook_requests_total{code="401",hook="arrivals"} 3"#), "\(metrics)")
            #expect(metrics.contains(#"lastmile_webhook_requests_total{code="403",hook="arrivals"} 3"#))
            #expect(metrics.contains(#"lastmile_webhook_requests_total{code="405",hook="arrivals"} 1"#))
            await running.stop()
        }

        @Test func aBatchIsStoredOnceAndOneTooLargeIsRefused() async throws {
            let running = try await Self.start(Self.routes)
            let before = running.storeSize()
            // 1,000 reports (the default cap) padded to about 1 MiB.
            let padding = String(repeating: "x", count: 955)
            let entries = (0..<1_000).map { #"{"messageId":"m\#($0)","callbackData":"\#(padding)","status":{"groupName":"DELIVERED"}}"# }
            let body = #"{"results":[\#(entries.joined(separator: ","))]}"#
            #expect(body.utf8.count > 1_000_000 && body.utf8.count <= 1_048_576)
            let started = ContinuousClock.now
            let accepted = try await LoopbackHTTP.request(port: running.port, method: "POST", path: "/hooks/receipts/batch", body: body,
                                                          headers: [("Authorization", "Bearer batch-hook-token"),
                                                                    ("Content-Type", "application/json")], timeout: 30)
            let elapsed = ContinuousClock.now - started
            #expect(accepted.status == 200, "\(accepted.body)")
            let grown = running.storeSize() - before
            // Every report joined nothing, so the body is kept only in part; the rows cost the rest.
            #expect(grown < 3 * 1_048_576, "a 1 MiB batch grew the store by \(grown) bytes")
            #expect(elapsed < .seconds(10), "answered in \(elapsed)")
            print("a \(body.utf8.count)-byte batch of 1000 unmatched receipts grew the store by \(grown) bytes in \(elapsed)")
            let stored = try CanaryStore(path: running.storePath)
            #expect(try stored.rowCounts().receipts == 1_000)
            await stored.close()

            let tooMany = #"{"results":[\#(Array(repeating: #"{"messageId":"m","status":{"groupName":"DELIVERED"}}"#, count: 1_001).joined(separator: ","))]}"#
            let refused = try await LoopbackHTTP.request(port: running.port, method: "POST", path: "/hooks/receipts/batch", body: tooMany,
                                                         headers: [("Authorization", "Bearer batch-hook-token"),
                                                                   ("Content-Type", "application/json")], timeout: 30)
            #expect(refused.status == 413)
            #expect(refused.body.contains("at most 1000"))
            await running.stop()
        }

        @Test func kannelDeliveryReportsCarryTheHookTokenWhichIsNotStored() async throws {
            let running = try await Self.start(Self.routes)
            let callback = try #require(running.daemon.context.receiptCallback(route: "smsc"))
            #expect(callback.query?.contains("token=kannel-hook-token") == true)
            // Kannel calls the dlr-url it was given, with its %-codes filled in.
            let path = callback.path + "?" + (callback.query ?? "") + "&canary=ABCDEFGHJ&status=1&answer=id%3A1+stat%3ADELIVRD&at=1700000000"
            let response = try await LoopbackHTTP.request(port: running.port, path: path)
            #expect(response.status == 200, "\(response.body)")
            let withoutToken = try await LoopbackHTTP.request(port: running.port,
                                                              path: callback.path + "?canary=ABCDEFGHJ&status=1&at=1700000000")
            #expect(withoutToken.status == 401)
            let stored = try CanaryStore(path: running.storePath)
            let raw = try stored.unmatchedRawPayloads()
            #expect(raw.count == 1)
            #expect(raw.allSatisfy { !String(decoding: $0, as: UTF8.self).contains("kannel-hook-token") })
            #expect(raw.allSatisfy { String(decoding: $0, as: UTF8.self).contains("status=1") })
            await stored.close()
            await running.stop()
        }

        @Test func adminPagesAreServedApartFromTheHooksWithSecurityHeaders() async throws {
            let running = try await Self.start(Self.routes, admin: true)
            let admin = try #require(running.daemon.adminAddress).port
            #expect(try await LoopbackHTTP.request(port: running.port, path: "/metrics").status == 404)
            #expect(try await LoopbackHTTP.request(port: running.port, path: "/api/canaries").status == 404)
            #expect(try await LoopbackHTTP.request(port: running.port, path: "/healthz").status == 200)
            #expect(try await LoopbackHTTP.request(port: admin, method: "POST", path: "/hooks/arrivals/phone").status == 404)
            let page = try await LoopbackHTTP.request(port: admin, path: "/")
            #expect(page.status == 200)
            #expect(page.header("X-Content-Type-Options") == "nosniff")
            #expect(page.header("Cache-Control") == "no-store")
            #expect(page.header("Content-Security-Policy")?.contains("default-src 'none'") == true)
            #expect(try await LoopbackHTTP.request(port: admin, path: "/metrics").status == 200)
            for path in ["/?hours=nan", "/?hours=inf", "/?hours=-1", "/?hours=1e9", "/api/canaries?limit=0", "/api/canaries?limit=5000",
                         "/api/canaries?limit=x"] {
                let response = try await LoopbackHTTP.request(port: admin, path: path)
                #expect(response.status == 400, "\(path): \(response.status)")
                #expect(response.body.contains("must be"))
            }
            await running.stop()
        }

        @Test func aCommandNotifierThatHangsNeitherStallsTheDaemonNorItsStop() async throws {
            let running = try await Self.start(Self.routes)
            let started = ContinuousClock.now
            let port = running.port
            // Ten commands that never end by themselves: more than the pool has threads. Meanwhile the daemon answers at once.
            async let outcomes = withTaskGroup(of: CommandRunner.Outcome.self) { group in
                for _ in 0..<10 {
                    group.addTask { await CommandRunner.run(["/bin/sleep", "1000"], environment: ["PATH": "/usr/bin:/bin"], timeout: 1) }
                }
                var outcomes: [CommandRunner.Outcome] = []
                for await outcome in group { outcomes.append(outcome) }
                return outcomes
            }
            var slowest = Duration.zero
            var answered = 0
            for _ in 0..<20 {
                let asked = ContinuousClock.now
                if (try? await LoopbackHTTP.request(port: port, path: "/healthz"))?.status == 200 { answered += 1 }
                slowest = max(slowest, ContinuousClock.now - asked)
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(await outcomes == Array(repeating: .timedOut, count: 10))
            #expect(answered == 20)
            #expect(slowest < .milliseconds(500), "slowest /healthz: \(slowest)")
            #expect(ContinuousClock.now - started < .seconds(8), "the commands were killed after their timeout")
            let stopping = ContinuousClock.now
            await running.stop()
            #expect(ContinuousClock.now - stopping < .seconds(8))
        }

        @Test func aCommandGetsOnlyPathLangTheAlertAndTheVariablesItNames() {
            let inherited = ["PATH": "/usr/bin", "LANG": "C.UTF-8", "PAGER_KEY": "p-123", "TWILIO_AUTH_TOKEN": "secret", "HOME": "/root"]
            let environment = CommandRunner.environment(passing: ["PAGER_KEY"], extra: ["LASTMILE_ALERT_NAME": "X"], from: inherited)
            #expect(environment == ["PATH": "/usr/bin", "LANG": "C.UTF-8", "PAGER_KEY": "p-123", "LASTMILE_ALERT_NAME": "X"])
        }

        /// A descriptor the daemon left open without close-on-exec, and its process group, stay
        /// with the daemon: the command does not hold it, and it leads its own group.
        @Test func aCommandGetsNoDescriptorOfTheDaemonAndAGroupOfItsOwn() async throws {
            let directory = try TemporaryDirectory()
            let listing = directory.path("fds"), group = directory.path("group")
            var ends: [Int32] = [0, 0]
            #expect(pipe(&ends) == 0)
            // Numbers well above the shell's own (dash keeps one at 10).
            let held = [fcntl(ends[0], F_DUPFD, 500), fcntl(ends[1], F_DUPFD, 500)]
            close(ends[0])
            close(ends[1])
            defer { for descriptor in held { close(descriptor) } }
            #expect(held.allSatisfy { $0 >= 500 })
            let outcome = await CommandRunner.run(["/bin/sh", "-c", "ls /proc/$$/fd > \(listing); cut -d' ' -f5 /proc/$$/stat > \(group)"],
                                                  environment: ["PATH": "/usr/bin:/bin"], timeout: 10)
            #expect(outcome == .exited(0))
            let descriptors = Set(try String(contentsOfFile: listing, encoding: .utf8).split(whereSeparator: \.isWhitespace).compactMap { Int32($0) })
            #expect(descriptors.isSuperset(of: [0, 1, 2]) && descriptors.isDisjoint(with: held), "the command holds \(descriptors.sorted())")
            let commandGroup = Int32(try String(contentsOfFile: group, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))
            #expect(commandGroup != nil && commandGroup != getpgrp())
        }

        @Test func aCommandThatEndsInTimeReportsItsStatus() async {
            #expect(await CommandRunner.run(["/bin/sh", "-c", "exit 3"], environment: [:], timeout: 10) == .exited(3))
            #expect(await CommandRunner.run(["/bin/true"], environment: [:], timeout: 10) == .exited(0))
            if case .couldNotStart = await CommandRunner.run(["/nonexistent/program"], environment: [:], timeout: 10) {} else {
                Issue.record("a missing program is reported as not started")
            }
        }
    }
}

/// A spool folder holds whatever landed there: only regular SMS files are read.
@Suite struct HostileSpoolTests {
    @Test func aFileIsRefusedForWhatItIsNotForWhatTheProcessLacksForAMoment() {
        // Out of descriptors or memory (a flood of connections): read again at the next scan.
        for code in [EMFILE, ENFILE, ENOMEM, ENOBUFS, EAGAIN, EINTR] { #expect(SpoolFolder.isPassing(code), "\(code)") }
        // A link, no permission, a broken disk: the file itself, moved to failed/.
        for code in [ELOOP, EACCES, EPERM, EIO, EISDIR] { #expect(!SpoolFolder.isPassing(code), "\(code)") }
    }

    @Test func linksFifosAndHugeFilesGoToFailedAndLockedFilesWait() async throws {
        let directory = try TemporaryDirectory()
        var watched = try WatchedSpool(in: directory)
        let spool = watched.spool, store = watched.store
        let message = "From: 447700900123\nReceived: 24-05-01 10:00:00\n\nLastmile check ABCDEFGHJ\n"
        try Data(message.utf8).write(to: spool.appendingPathComponent("GSM1.ok"))
        try Data(message.utf8).write(to: spool.appendingPathComponent("GSM1.locked"))
        try Data().write(to: spool.appendingPathComponent("GSM1.locked.LOCK"))
        try Data(repeating: 0x41, count: 100 * 1024).write(to: spool.appendingPathComponent("GSM1.huge"))
        try FileManager.default.createSymbolicLink(atPath: spool.appendingPathComponent("GSM1.link").path, withDestinationPath: "/etc/passwd")
        #expect(mkfifo(spool.appendingPathComponent("GSM1.fifo").path, 0o600) == 0)

        await watched.scanTwice()
        #expect(watched.names("failed") == ["GSM1.fifo", "GSM1.huge", "GSM1.link"])
        #expect(watched.names("done") == ["GSM1.ok"])
        #expect(FileManager.default.fileExists(atPath: spool.appendingPathComponent("GSM1.locked").path))
        #expect(try store.rowCounts().arrivals == 1)
        // The link itself was moved, not followed and not copied.
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: spool.appendingPathComponent("failed/GSM1.link").path)
                == "/etc/passwd")
        try FileManager.default.removeItem(at: spool.appendingPathComponent("GSM1.locked.LOCK"))
        await watched.scanTwice()
        #expect(watched.names("done") == ["GSM1.locked", "GSM1.ok"])
        #expect(try store.rowCounts().arrivals == 2)
        // Retention clears done/ as it does the store, and failed/ as it does unmatched reports.
        #expect(SpoolFolder(spool).pruneDone(before: Date().addingTimeInterval(60)) == 2)
        #expect(watched.names("done").isEmpty)
        #expect(SpoolFolder(spool).pruneFailed(before: Date().addingTimeInterval(60)) == 3)
        #expect(watched.names("failed").isEmpty)
        await store.close()
    }

    @Test func aSpoolFileGivenAnEarlierFilesNameIsANewArrivalAndWhatIsNotAMessageStays() async throws {
        let directory = try TemporaryDirectory()
        var watched = try WatchedSpool(in: directory)
        let spool = watched.spool, store = watched.store
        func message(_ token: String) -> Data { Data("From: 447700900123\nReceived: 24-05-01 10:00:00\n\nLastmile check \(token)\n".utf8) }
        // smstools keeps the parts of long messages here unless `saved` says otherwise.
        try Data("not a message: parts waiting for their message".utf8).write(to: spool.appendingPathComponent("GSM1-concatenated"))
        try message("ABCDEFGHJ").write(to: spool.appendingPathComponent("GSM1.same"))
        try Data().write(to: spool.appendingPathComponent("GSM1.empty"))

        await watched.scanTwice()
        #expect(watched.names("done") == ["GSM1.same"])
        #expect(watched.names("failed").isEmpty, "the parts store and a file not written yet stay where they are")
        #expect(FileManager.default.fileExists(atPath: spool.appendingPathComponent("GSM1-concatenated").path))
        #expect(FileManager.default.fileExists(atPath: spool.appendingPathComponent("GSM1.empty").path))

        // A new message under the name of one already done (gammu names files by the SMSC's second and the sender).
        try message("KMNPQRSTV").write(to: spool.appendingPathComponent("GSM1.same"))
        await watched.scanTwice()
        #expect(try store.rowCounts().arrivals == 2, "the second file under the name is an arrival of its own")
        #expect(watched.names("done") == ["GSM1.same"])

        // A file an earlier version stored under its name alone, and had not moved when it stopped: not read twice.
        let legacy = StoredArrival(report: ArrivalReport(reference: try store.reserveReportID(), receiver: "modem", from: "x", body: "old",
                                                         ingestedAt: Date()),
                                   match: .unmatched(.noToken, canaryID: nil), rawPayload: Data(), sourceKey: "modem/GSM1.legacy")
        try await store.commit(StoreChange(arrivals: [legacy]))
        try message("LEGACY234").write(to: spool.appendingPathComponent("GSM1.legacy"))
        await watched.scanTwice()
        #expect(watched.names("done") == ["GSM1.legacy", "GSM1.same"])
        #expect(try store.rowCounts().arrivals == 3)

        // A file left empty long after it appeared is refused.
        let folder = SpoolFolder(spool)
        let (first, sighting) = folder.inspect("GSM1.empty", previous: nil, now: Date())
        #expect(first == .notYet(name: "GSM1.empty"))
        let (later, _) = folder.inspect("GSM1.empty", previous: sighting, now: Date().addingTimeInterval(120))
        #expect(later == .refused(name: "GSM1.empty", reason: "empty for 60 s"))

        // `done` swapped for a link elsewhere: nothing is moved into, or pruned from, where it points.
        let elsewhere = directory.url.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: elsewhere.appendingPathComponent("old"))
        try FileManager.default.removeItem(at: spool.appendingPathComponent("done"))
        try FileManager.default.createSymbolicLink(at: spool.appendingPathComponent("done"), withDestinationURL: elsewhere)
        try message("WXYZ01234").write(to: spool.appendingPathComponent("GSM1.third"))
        await watched.scanTwice()
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path) == ["old"])
        #expect(FileManager.default.fileExists(atPath: spool.appendingPathComponent("GSM1.third").path), "left where it is, unread")
        #expect(try store.rowCounts().arrivals == 3)
        #expect(folder.pruneDone(before: Date().addingTimeInterval(60)) == 0)
        // A move holds to that by itself, whatever a check before it saw: the link swapped in after
        // the scan's check is never followed.
        #expect(throws: (any Error).self) { try folder.move("GSM1.third", to: "done") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path) == ["old"])
        await store.close()
    }
}

/// An smstools spool folder (`incoming` in a test's folder) watched for receiver "modem" into a
/// store of its own, scanned as the daemon scans it.
struct WatchedSpool {
    let spool: URL
    let store: CanaryStore
    let watcher: SpoolWatcher
    let receiver: ReceiverConfiguration
    var seen: [String: SpoolFolder.Sighting] = [:]

    init(in directory: TemporaryDirectory) throws {
        spool = directory.url.appendingPathComponent("incoming")
        try FileManager.default.createDirectory(at: spool, withIntermediateDirectories: true)
        store = try CanaryStore(path: directory.path("spool.db"))
        let engine = CanaryEngine(store: store, metrics: DaemonMetrics(version: "t"), clock: SystemClock())
        watcher = SpoolWatcher(intake: ReportIntake(engine: engine, store: store, leadership: .alone()), logger: Logger(minimum: .error),
                               clock: SystemClock())
        let text = """
            [[receiver]]
            name = "modem"
            number = "+447700900123"
            carrier = "EE"
            source = "smstools"
            spool = "\(spool.path)"
            """
        receiver = try #require(ConfigLoader.load(text: Array(text.utf8), path: "s.toml", catalogue: .standard, environment: [:])
            .configuration?.receivers.first)
    }

    /// Twice: a file written just now is read once it is seen unchanged.
    mutating func scanTwice() async {
        await watcher.scan(receiver: receiver, format: Smstools(), folder: SpoolFolder(spool), seen: &seen)
        await watcher.scan(receiver: receiver, format: Smstools(), folder: SpoolFolder(spool), seen: &seen)
    }

    /// The files in the subfolder `folder` (`done`, `failed`), sorted.
    func names(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: spool.appendingPathComponent(folder).path)) ?? []).sorted()
    }
}

import Foundation
import Glibc
import LastmileStore
import LastmileTestSupport
import Synchronization
import Testing

/// Reports acknowledged so far, from many connections.
final class Acknowledged: Sendable {
    private let ids = Mutex<Set<Int>>([])
    func add(_ id: Int) { ids.withLock { _ = $0.insert(id) } }
    var all: Set<Int> { ids.withLock { $0 } }
}

/// How many requests ended each way, and which hung.
final class OutcomeTally: Sendable {
    private let state = Mutex<(counts: [RawExchange.Outcome: Int], hung: [String])>(([:], []))

    func add(_ outcome: RawExchange.Outcome, request: [UInt8]) {
        state.withLock { state in
            state.counts[outcome, default: 0] += 1
            if outcome == .hung { state.hung.append(String(decoding: request.prefix(80), as: UTF8.self)) }
        }
    }

    var counts: [RawExchange.Outcome: Int] { state.withLock { $0.counts } }
    var hung: [String] { state.withLock { $0.hung } }
}

/// One connection's raw exchange: send, half-close, and read until the server closes.
enum RawExchange {
    enum Outcome: Hashable, Sendable {
        case answered(Int)
        case closed
        case hung
    }

    static func run(port: UInt16, bytes: [UInt8], timeout: Double = 15) async -> Outcome {
        guard let connection = try? RawConnection(port: port) else { return .closed }
        try? connection.send(bytes)
        shutdown(connection.descriptor, Int32(SHUT_WR))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let count = buffer.withUnsafeMutableBytes { recv(connection.descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count > 0 {
                received += buffer[0..<count]
                continue
            }
            if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) {
                let text = String(decoding: received.prefix(12), as: UTF8.self)
                if text.hasPrefix("HTTP/1.1 "), let code = Int(text.dropFirst(9).prefix(3)) { return .answered(code) }
                return .closed
            }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return .hung
    }
}

extension WholeSystemSuites {
    @Suite(.serialized) struct FaultTests {
        static func config(providerPort: UInt16, extra: String = "") -> String {
            EndToEndTests.config(providerPort: providerPort, interval: "200ms") + extra
        }

        @Test func sigkillDuringTenThousandReportsLosesNothingAcknowledgedAndSendsNothingTwice() async throws {
            let provider = try FakeProvider()
            let directory = try TemporaryDirectory()
            let path = try directory.write("lastmile.toml", Self.config(providerPort: provider.port))
            let store = directory.path("kill.db")
            let daemon = try DaemonProcess(arguments: ["run", "--config", path, "--store", store], environment: ["BULK_TOKEN": "t"])
            let port = try #require(await daemon.waitForPort(), "\(daemon.logText)")

            let acknowledged = Acknowledged()
            let pid = daemon.process.processIdentifier
            let total = 10_000, workers = 8
            let killAfter = Int.random(in: 2_000...6_000)
            await withTaskGroup(of: Void.self) { group in
                for worker in 0..<workers {
                    group.addTask {
                        guard let connection = try? RawConnection(port: port) else { return }
                        for index in stride(from: worker, to: total, by: workers) {
                            let body = #"{"from":"+15550000000","body":"fault report \#(index)"}"#
                            let request = "POST /hooks/arrivals/phone HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer arrival-token\r\n"
                                + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
                            guard (try? connection.send(request)) != nil,
                                  let response = try? await connection.readResponse(timeout: 5) else { return }
                            if response.status == 200 { acknowledged.add(index) }
                        }
                    }
                }
                group.addTask {
                    _ = await Eventually.holds(within: .seconds(120), poll: .milliseconds(1)) { acknowledged.all.count >= killAfter }
                    kill(pid, SIGKILL)
                }
            }
            _ = await daemon.waitForExit(timeout: 5)
            let acked = acknowledged.all
            #expect(acked.count >= killAfter && acked.count < total, "\(acked.count) acknowledged")

            // Every acknowledged report is in the store.
            do {
                let reopened = try CanaryStore(path: store)
                let stored = try reopened.arrivalBodies(containing: "fault report ")
                await reopened.close()
                let storedIDs = Set(stored.compactMap { Int($0.dropFirst("fault report ".count)) })
                let missing = acked.subtracting(storedIDs)
                #expect(missing.isEmpty, "\(missing.count) acknowledged reports missing")
            }

            // After a restart no canary goes out a second time.
            let sendsBefore = provider.messages.count
            let restarted = try DaemonProcess(arguments: ["run", "--config", path, "--store", store], environment: ["BULK_TOKEN": "t"])
            _ = try #require(await restarted.waitForPort(), "\(restarted.logText)")
            _ = await provider.waitForSends(sendsBefore + 3)
            restarted.signal(SIGTERM)
            #expect(await restarted.waitForExit(timeout: 10) == 0)
            let bodies = provider.messages.map(\.text)
            #expect(Set(bodies).count == bodies.count, "a canary was sent twice")
        }

        @Test func aFullDiskGets503WhileMetricsServeAndRecoversWhenSpaceReturns() async throws {
            let provider = try FakeProvider()
            let directory = try TemporaryDirectory()
            let storePath = directory.path("full.db")
            let small = "\n[store]\nmax_size = \"1MB\"\n"
            let path = try directory.write("lastmile.toml", Self.config(providerPort: provider.port, extra: small)
                .replacingOccurrences(of: "interval = \"200ms\"", with: "interval = \"1h\""))
            let daemon = try DaemonProcess(arguments: ["run", "--config", path, "--store", storePath], environment: ["BULK_TOKEN": "t"])
            let port = try #require(await daemon.waitForPort(), "\(daemon.logText)")
            let padding = String(repeating: "x", count: 60_000)
            var statuses: [Int] = []
            for index in 0..<60 {
                let response = try await LoopbackHTTP.postJSON(port: port, path: "/hooks/arrivals/phone",
                                                               ["from": "+15550000000", "body": "disk \(index) \(padding)"],
                                                               headers: [("Authorization", "Bearer arrival-token")])
                statuses.append(response.status)
                if response.status == 503 {
                    #expect(response.header("Retry-After") == "5")
                    break
                }
            }
            #expect(statuses.last == 503, "\(statuses)")
            #expect(statuses.dropLast().allSatisfy { $0 == 200 })
            let metrics = try await LoopbackHTTP.request(port: port, path: "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.body.contains(#"lastmile_webhook_requests_total{code="503",hook="arrivals"} 1"#))

            // Space returns: a larger limit, reloaded.
            try Data(Self.config(providerPort: provider.port, extra: "\n[store]\nmax_size = \"64MB\"\n")
                .replacingOccurrences(of: "interval = \"200ms\"", with: "interval = \"1h\"").utf8).write(to: URL(fileURLWithPath: path))
            daemon.signal(SIGHUP)
            #expect(await daemon.waitForLog("configuration reloaded") != nil)
            try await Task.sleep(for: .milliseconds(200))
            let after = try await LoopbackHTTP.postJSON(port: port, path: "/hooks/arrivals/phone",
                                                        ["from": "+15550000000", "body": "disk after \(padding)"],
                                                        headers: [("Authorization", "Bearer arrival-token")])
            #expect(after.status == 200)
            daemon.signal(SIGTERM)
            #expect(await daemon.waitForExit(timeout: 10) == 0)
            let reopened = try CanaryStore(path: storePath)
            defer { reopened.beginClosing() }
            #expect(try reopened.integrityCheck() == "ok")
            #expect(try reopened.rowCounts().arrivals == statuses.count)
        }

        @Test func tenThousandMutatedAndRandomRequestsAreEachAnsweredOrClosed() async throws {
            let provider = try FakeProvider()
            let directory = try TemporaryDirectory()
            let path = try directory.write("lastmile.toml", Self.config(providerPort: provider.port)
                .replacingOccurrences(of: "interval = \"200ms\"", with: "interval = \"1h\""))
            let daemon = try DaemonProcess(arguments: ["run", "--config", path, "--store", directory.path("fuzz.db")],
                                           environment: ["BULK_TOKEN": "t"])
            let port = try #require(await daemon.waitForPort(), "\(daemon.logText)")
            let cases = RequestMutations.generate(count: 10_000, seed: 2_026)
            let outcomes = OutcomeTally()
            await withTaskGroup(of: Void.self) { group in
                for worker in 0..<16 {
                    group.addTask {
                        for index in stride(from: worker, to: cases.count, by: 16) {
                            let outcome = await RawExchange.run(port: port, bytes: cases[index])
                            outcomes.add(outcome, request: cases[index])
                        }
                    }
                }
            }
            let counts = outcomes.counts
            #expect(counts[.hung, default: 0] == 0, "hung on: \(outcomes.hung.prefix(3))")
            #expect(counts.values.reduce(0, +) == 10_000)
            #expect(counts.keys.contains { if case .answered(400) = $0 { true } else { false } })
            // Still alive and serving.
            #expect(try await LoopbackHTTP.request(port: port, path: "/healthz").status == 200)
            #expect(daemon.process.isRunning)
            daemon.signal(SIGTERM)
            #expect(await daemon.waitForExit(timeout: 10) == 0)
        }
    }

    /// Requests bent out of shape: valid ones mutated byte by byte, request-smuggling shapes, and noise.
    enum RequestMutations {
        static let bases: [String] = [
            "POST /hooks/arrivals/phone HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer arrival-token\r\nContent-Type: application/json\r\nContent-Length: 35\r\n\r\n{\"from\":\"+1\",\"body\":\"fuzz canary\"}",
            "POST /hooks/receipts/bulk HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{\"message_id\":1}\r\n0\r\n\r\n",
            "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /api/canaries?limit=5 HTTP/1.0\r\n\r\n",
        ]

        static let smuggling: [String] = [
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /metrics HTTP/1.1\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n1\r\nZ\r\nQ\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nContent-Length: 5\r\n\r\n12345\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\tchunked\r\n X: y\r\n\r\n0\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1e2\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
            "GET /\r\n\r\n",
            "GET / HTTP/1.1\nHost: x\n\rX: y\n\n",
        ]

        static func generate(count: Int, seed: UInt64) -> [[UInt8]] {
            var state = seed
            func next() -> UInt64 {
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                return z ^ (z >> 31)
            }
            func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
            let alphabet = Array("\r\n :;,-0123456789abcdefGHIJKLMNOPQRSTUVWXYZ\t\u{0}\u{7F}{}\"".utf8)
            var cases: [[UInt8]] = smuggling.map { Array($0.utf8) }
            while cases.count < count {
                var bytes = Array(bases[below(bases.count)].utf8)
                switch below(6) {
                case 0:
                    for _ in 0..<(1 + below(4)) where !bytes.isEmpty { bytes[below(bytes.count)] = alphabet[below(alphabet.count)] }
                case 1:
                    bytes = Array(bytes.prefix(below(bytes.count + 1)))
                case 2:
                    let at = below(bytes.count)
                    bytes.insert(contentsOf: (0..<(1 + below(40))).map { _ in alphabet[below(alphabet.count)] }, at: at)
                case 3:
                    bytes = (0..<below(300)).map { _ in UInt8(truncatingIfNeeded: next()) }
                case 4:
                    if let end = String(decoding: bytes, as: UTF8.self).range(of: "\r\n") {
                        let cut = String(decoding: bytes, as: UTF8.self).distance(from: String(decoding: bytes, as: UTF8.self).startIndex, to: end.upperBound)
                        let header = ["Content-Length: 99999999\r\n", "Transfer-Encoding: chunked\r\n", "X: \(String(repeating: "a", count: 9_000))\r\n",
                                      "Expect: 100-continue\r\n", "Connection: close\r\n"][below(5)]
                        bytes.insert(contentsOf: Array(header.utf8), at: cut)
                    }
                default:
                    bytes += bytes
                }
                cases.append(bytes)
            }
            return Array(cases.prefix(count))
        }
    }
}

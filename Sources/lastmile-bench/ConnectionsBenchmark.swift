import Foundation
import Glibc
import HTTP

/// What a scanner's worth of connections does to `lastmile run`: 10,000 connections that send
/// nothing and 200 that trickle a byte a second, held at once, while the operator asks for
/// `/healthz` and `/metrics` on new connections. Prints the answers' latency beside the same
/// requests on the idle daemon (the reference), the daemon's memory growth, and when each
/// silent connection was closed (the head deadline, 10 s after its accept).
enum ConnectionsBenchmark {
    static let silentCount = 10_000
    static let tricklingCount = 200
    /// Source addresses the connections come from, so none exceeds the per-peer share.
    static let silentPeers = 100
    static let tricklingPeers = 10

    struct Latencies {
        var seconds: [Double] = []
        var failures = 0

        func quantile(_ q: Double) -> Double {
            guard !seconds.isEmpty else { return .nan }
            let sorted = seconds.sorted()
            return sorted[min(sorted.count - 1, Int((q * Double(sorted.count)).rounded(.up)) - 1)] * 1_000
        }
    }

    static func run() async throws {
        let available = raiseOpenFileLimit()
        guard available > silentCount + tricklingCount + 500 else {
            print("connections: skipped, the open-file limit is \(available) (raise it: ulimit -n 20000)")
            return
        }
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("lastmile")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            print("connections: skipped, \(binary.path) is not built")
            return
        }
        let directory = try Tools.temporaryDirectory("connections")
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try Tools.freePort()
        let process = Process()
        process.executableURL = binary
        process.arguments = ["run", "--config", "probes/demo.toml", "--listen", "127.0.0.1:\(port)", "--log-level", "error",
                             "--store", directory.appendingPathComponent("connections.db").path]
        process.standardError = FileHandle.nullDevice
        let child = try ChildProcess(process, captureOutput: false)
        defer { child.terminate() }
        let result = await offThread { measure(port: port, pid: child.pid) }
        child.terminate()
        _ = await child.status()
        guard let result else {
            print("connections: the daemon did not answer /healthz within 30 s")
            return
        }
        print(result)
    }

    /// Runs `body` on a thread of its own (it blocks on sockets) and returns its result.
    static func offThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: body()) }.start()
        }
    }

    static func measure(port: UInt16, pid: Int32) -> String? {
        let ready = ContinuousClock.now.advanced(by: .seconds(30))
        while (try? request(port: port, path: "/healthz")) == nil {
            guard ContinuousClock.now < ready else { return nil }
            usleep(100_000)
        }
        // The reference: the same requests on the idle daemon.
        let idleHealth = sample(port: port, path: "/healthz", count: 200)
        let idleMetrics = sample(port: port, path: "/metrics", count: 100)
        let before = residentBytes(pid)

        let opening = ContinuousClock.now
        var silent: [(descriptor: Int32, connectedAt: ContinuousClock.Instant)] = []
        var refused = 0
        for index in 0..<silentCount {
            let descriptor = connect(port: port, source: "127.0.3.\(index % silentPeers + 1)")
            if descriptor >= 0 { silent.append((descriptor, .now)) } else { refused += 1 }
        }
        var tricklers: [Int32] = []
        for index in 0..<tricklingCount {
            let descriptor = connect(port: port, source: "127.0.4.\(index % tricklingPeers + 1)")
            if descriptor >= 0 { tricklers.append(descriptor) } else { refused += 1 }
        }
        let openedIn = opening.duration(to: .now)

        // While they are held (the first closes 10 s after its accept): a byte a second from
        // each trickler, and the operator's requests on new connections.
        let trickle = Array("GET /healthz HTTP/1.1\r\nHost: x\r\n".utf8)
        var loadedHealth = Latencies(), loadedMetrics = Latencies()
        var peak = before
        let holdUntil = opening.advanced(by: .seconds(9))
        var nextByte = ContinuousClock.now
        var byte = 0
        while ContinuousClock.now < holdUntil {
            if ContinuousClock.now >= nextByte {
                for descriptor in tricklers {
                    _ = trickle.withUnsafeBytes { send(descriptor, $0.baseAddress! + byte % trickle.count, 1, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT)) }
                }
                byte += 1
                nextByte = nextByte.advanced(by: .seconds(1))
            }
            time(port: port, path: "/healthz", into: &loadedHealth)
            time(port: port, path: "/metrics", into: &loadedMetrics)
            peak = max(peak, residentBytes(pid))
            usleep(20_000)
        }

        // Every silent connection should be closed by the head deadline, without a word.
        var open = Dictionary(uniqueKeysWithValues: silent.map { ($0.descriptor, $0.connectedAt) })
        var closedAfter: [Double] = []
        var answered = 0
        let giveUp = ContinuousClock.now.advanced(by: .seconds(30))
        while !open.isEmpty && ContinuousClock.now < giveUp {
            var entries = open.keys.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            guard poll(&entries, nfds_t(entries.count), 100) > 0 else { continue }
            let now = ContinuousClock.now
            for entry in entries where entry.revents != 0 {
                var scratch = [UInt8](repeating: 0, count: 512)
                let count = recv(entry.fd, &scratch, scratch.count, Int32(MSG_DONTWAIT))
                if count > 0 { answered += 1 }
                if count > 0 || count == 0 || (count < 0 && errno != EAGAIN) {
                    if let connectedAt = open.removeValue(forKey: entry.fd) {
                        let elapsed = connectedAt.duration(to: now)
                        closedAfter.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
                    }
                    close(entry.fd)
                }
            }
        }
        for descriptor in open.keys { close(descriptor) }
        for descriptor in tricklers { close(descriptor) }
        closedAfter.sort()

        func milliseconds(_ value: Double) -> String { String(format: "%.1f ms", value) }
        let growth = (peak - before) / 1_048_576
        var lines: [String] = []
        lines.append("connections: \(silent.count) silent + \(tricklers.count) trickling connections held on `lastmile run` (\(refused) refused), opened in \(formatted(Double(openedIn.components.seconds) + Double(openedIn.components.attoseconds) / 1e18, digits: 2)) s")
        lines.append("  /healthz from a new connection: p50 \(milliseconds(loadedHealth.quantile(0.5))), p99 \(milliseconds(loadedHealth.quantile(0.99))) over \(loadedHealth.seconds.count) (\(loadedHealth.failures) failed); idle daemon p99 \(milliseconds(idleHealth.quantile(0.99))) (target p99 < 50 ms)")
        lines.append("  /metrics from a new connection: p50 \(milliseconds(loadedMetrics.quantile(0.5))), p99 \(milliseconds(loadedMetrics.quantile(0.99))) over \(loadedMetrics.seconds.count) (\(loadedMetrics.failures) failed); idle daemon p99 \(milliseconds(idleMetrics.quantile(0.99))) (target p99 < 50 ms)")
        lines.append("  daemon memory: \(formatted(before / 1_048_576, digits: 1)) MiB before, \(formatted(peak / 1_048_576, digits: 1)) MiB holding them: +\(formatted(growth, digits: 1)) MiB (target < 100 MiB)")
        if closedAfter.isEmpty {
            lines.append("  silent connections closed: none within 30 s")
        } else {
            lines.append("  silent connections closed by the head deadline (10 s): \(closedAfter.count) of \(silent.count) (\(answered) with bytes), after \(formatted(closedAfter[0], digits: 1))–\(formatted(closedAfter[closedAfter.count - 1], digits: 1)) s")
        }
        return lines.joined(separator: "\n")
    }

    static func sample(port: UInt16, path: String, count: Int) -> Latencies {
        var latencies = Latencies()
        for _ in 0..<count { time(port: port, path: path, into: &latencies) }
        return latencies
    }

    static func time(port: UInt16, path: String, into latencies: inout Latencies) {
        let started = ContinuousClock.now
        if (try? request(port: port, path: path)) == 200 {
            let elapsed = started.duration(to: .now)
            latencies.seconds.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        } else {
            latencies.failures += 1
        }
    }

    /// One GET on a new connection; its status.
    static func request(port: UInt16, path: String) throws -> Int {
        let deadline = Deadline(seconds: 5)
        let descriptor = try PlainHTTPExchange.connect(host: "127.0.0.1", port: port, deadline: deadline)
        defer { close(descriptor) }
        try PlainHTTPExchange.write(descriptor, PlainHTTPExchange.encode(method: "GET", target: path, host: "127.0.0.1", headers: [("Connection", "close")], body: []),
                                    deadline: deadline)
        return try PlainHTTPExchange.read(descriptor, deadline: deadline).status
    }

    /// A blocking connection to `port` from the loopback address `source`; -1 when refused.
    static func connect(port: UInt16, source: String) -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return -1 }
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, source, &local.sin_addr)
        var remote = sockaddr_in()
        remote.sin_family = sa_family_t(AF_INET)
        remote.sin_port = port.bigEndian
        inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr)
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        let connected = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, connected == 0 else {
            close(descriptor)
            return -1
        }
        return descriptor
    }

    static func residentBytes(_ pid: Int32) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") else { return .nan }
        return kilobytes * 1_024
    }

    /// Raises this process's open-file soft limit to the hard one; returns it.
    static func raiseOpenFileLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1_024 }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        return Int(min(limit.rlim_cur, 1 << 20))
    }
}

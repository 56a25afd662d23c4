import Foundation
import Glibc
import HTTP
import LastmileBase
import LastmileDaemon

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

        mutating func add(_ sample: Double?) {
            if let sample { seconds.append(sample) } else { failures += 1 }
        }

        func quantile(_ q: Double) -> Double {
            guard !seconds.isEmpty else { return .nan }
            let sorted = seconds.sorted()
            return sorted[min(sorted.count - 1, Int((q * Double(sorted.count)).rounded(.up)) - 1)] * 1_000
        }
    }

    static func run() async throws {
        let available = Int(OpenFileLimit.raiseToHardLimit()?.after ?? 1_024)
        guard available > silentCount + tricklingCount + 500 else {
            print("connections: skipped, the open-file limit is \(available) (raise it: ulimit -n 20000)")
            return
        }
        guard let binary = Tools.lastmileBinary else {
            print("connections: skipped, lastmile is not built beside the benchmark")
            return
        }
        let directory = try Tools.temporaryDirectory("connections")
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try Tools.freePort()
        let child = try Tools.runDemoService(binary, listen: "127.0.0.1:\(port)", store: directory.appendingPathComponent("connections.db").path)
        defer { child.terminate() }
        let result = try await measure(port: port, pid: child.pid)
        child.terminate()
        _ = await child.status()
        print(result ?? "connections: the daemon did not answer /healthz within 30 s")
    }

    /// Where the benchmark's socket calls run: they block, so never on the concurrency pool.
    static let sockets = BlockingQueue(label: "lastmile-bench-connections")

    /// Runs `body` on `sockets` and returns its result.
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await sockets.run(body)
    }

    static func measure(port: UInt16, pid: Int32) async throws -> String? {
        let ready = ContinuousClock.now.advanced(by: .seconds(30))
        while await blocking({ (try? request(port: port, path: "/healthz")) == nil }) {
            guard ContinuousClock.now < ready else { return nil }
            try await Task.sleep(for: .milliseconds(100))
        }
        // The reference: the same requests on the idle daemon.
        let idleHealth = await blocking { sample(port: port, path: "/healthz", count: 200) }
        let idleMetrics = await blocking { sample(port: port, path: "/metrics", count: 100) }
        let before = Tools.residentBytes(pid: pid)

        let opening = ContinuousClock.now
        let (silent, tricklers, refused) = await blocking { openConnections(port: port) }
        let openedIn = opening.duration(to: .now)

        // While they are held (the first closes 10 s after its accept): a byte a second from
        // each trickler, and the operator's requests on new connections.
        var loadedHealth = Latencies(), loadedMetrics = Latencies()
        var peak = before
        let holdUntil = opening.advanced(by: .seconds(9))
        var nextByte = ContinuousClock.now
        var byte = 0
        while ContinuousClock.now < holdUntil {
            if ContinuousClock.now >= nextByte {
                let offset = byte
                await blocking { trickle(tricklers, byte: offset) }
                byte += 1
                nextByte = nextByte.advanced(by: .seconds(1))
            }
            let (health, metrics) = await blocking { (timed(port: port, path: "/healthz"), timed(port: port, path: "/metrics")) }
            loadedHealth.add(health)
            loadedMetrics.add(metrics)
            peak = max(peak, Tools.residentBytes(pid: pid))
            try await Task.sleep(for: .milliseconds(20))
        }

        let (closedAfter, answered) = await blocking { watchClosing(silent) }
        await blocking { for descriptor in tricklers { close(descriptor) } }

        func milliseconds(_ value: Double) -> String { String(format: "%.1f ms", value) }
        let growth = (peak - before) / 1_048_576
        var lines: [String] = []
        lines.append("connections: \(silent.count) silent + \(tricklers.count) trickling connections held on `lastmile run` (\(refused) refused), opened in \(formatted(openedIn.timeInterval, digits: 2)) s")
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

    /// Opens the silent and the trickling connections, each from its share of source addresses.
    static func openConnections(port: UInt16) -> (silent: [(descriptor: Int32, connectedAt: ContinuousClock.Instant)], tricklers: [Int32], refused: Int) {
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
        return (silent, tricklers, refused)
    }

    /// Sends byte `byte` of a request head on each trickler.
    static func trickle(_ tricklers: [Int32], byte: Int) {
        let head = Array("GET /healthz HTTP/1.1\r\nHost: x\r\n".utf8)
        for descriptor in tricklers {
            _ = head.withUnsafeBytes { send(descriptor, $0.baseAddress! + byte % head.count, 1, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT)) }
        }
    }

    /// Waits up to 30 s for the server to close each silent connection; the seconds from each
    /// one's connect to its close, sorted, and how many got bytes before closing. Closes them all.
    static func watchClosing(_ silent: [(descriptor: Int32, connectedAt: ContinuousClock.Instant)]) -> (closedAfter: [Double], answered: Int) {
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
                guard count >= 0 || errno != EAGAIN else { continue }
                if let connectedAt = open.removeValue(forKey: entry.fd) { closedAfter.append(connectedAt.duration(to: now).timeInterval) }
                close(entry.fd)
            }
        }
        for descriptor in open.keys { close(descriptor) }
        return (closedAfter.sorted(), answered)
    }

    static func sample(port: UInt16, path: String, count: Int) -> Latencies {
        var latencies = Latencies()
        for _ in 0..<count { latencies.add(timed(port: port, path: path)) }
        return latencies
    }

    /// Seconds one GET of `path` on a new connection took; nil when it failed.
    static func timed(port: UInt16, path: String) -> Double? {
        let started = ContinuousClock.now
        guard (try? request(port: port, path: path)) == 200 else { return nil }
        return started.duration(to: .now).timeInterval
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
}

import Foundation
import Glibc
import LastmileBase

/// Helpers the benchmarks share: finding programs, free ports, running wrk.
enum Tools {
    static func find(_ name: String, in folders: [String] = ["/usr/bin", "/usr/local/bin", "/usr/sbin"]) -> String? {
        folders.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lastmile-bench-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A port nothing listens on right now.
    static func freePort() throws -> UInt16 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var bound = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
        return UInt16(bigEndian: bound.sin_port)
    }

    struct WrkResult {
        var rate: Double
        var requests: Int
        var non2xx: Int
        var p50: Double
        var p99: Double
    }

    /// Runs wrk and reads its summary (requests/sec, totals, latency percentiles).
    static func wrk(_ path: String, url: String, script: URL, connections: Int, seconds: Int) async throws -> WrkResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-t2", "-c\(connections)", "-d\(seconds)s", "--latency", "-s", script.path, url]
        let child = try ChildProcess(process, captureOutput: true)
        let text = await child.outputText()
        _ = await child.status()
        func value(after label: String) -> String? {
            text.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(label) }
                .map { $0.trimmingCharacters(in: .whitespaces).dropFirst(label.count).trimmingCharacters(in: .whitespaces) }
        }
        func duration(_ text: String?) -> Double {
            guard let text else { return .nan }
            for (suffix, scale) in [("us", 1e-6), ("ms", 1e-3), ("s", 1.0), ("m", 60.0)] where text.hasSuffix(suffix) {
                return (Double(text.dropLast(suffix.count)) ?? .nan) * scale
            }
            return .nan
        }
        let requests = text.split(separator: "\n").first { $0.contains("requests in") }
            .flatMap { Int($0.trimmingCharacters(in: .whitespaces).split(separator: " ")[0]) } ?? 0
        return WrkResult(rate: Double(value(after: "Requests/sec:") ?? "") ?? 0, requests: requests,
                         non2xx: Int(value(after: "Non-2xx or 3xx responses:") ?? "0") ?? 0,
                         p50: duration(value(after: "50%")), p99: duration(value(after: "99%")))
    }

    /// The `lastmile` binary built beside this benchmark, if it is there.
    static var lastmileBinary: URL? {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("lastmile")
        return FileManager.default.isExecutableFile(atPath: binary.path) ? binary : nil
    }

    /// `lastmile run` on the demo's configuration, in a process of its own, listening on `listen`
    /// with its store at `store`.
    static func runDemoService(_ binary: URL, listen: String, store: String) throws -> ChildProcess {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["run", "--config", "probes/demo.toml", "--listen", listen, "--log-level", "error", "--store", store]
        process.standardError = FileHandle.nullDevice
        return try ChildProcess(process, captureOutput: false)
    }

    /// Resident memory of process `pid`, in bytes (NaN when it cannot be read).
    static func residentBytes(pid: Int32) -> Double {
        guard let status = ProcFile.text("/proc/\(pid)/status"),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") else { return .nan }
        return kilobytes * 1_024
    }

    /// Whether process `pid` has the Swift runtime mapped as a shared library (a build without
    /// `--static-swift-stdlib`, whose resident pages include those of every library it loads).
    static func mapsSwiftRuntimeLibrary(pid: Int32) -> Bool {
        ProcFile.text("/proc/\(pid)/maps")?.contains("/libswiftCore.so") ?? false
    }

    /// Resident memory of this process, in bytes.
    static func residentBytes() -> Double {
        guard let text = ProcFile.text("/proc/self/statm") else { return .nan }
        let fields = text.split(separator: " ")
        return (Double(fields[1]) ?? .nan) * Double(sysconf(Int32(_SC_PAGESIZE)))
    }
}

extension Tools {
    /// CPU seconds (user and system) this process has used so far, every thread counted.
    static func ownCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// CPU seconds used so far by process `pid` and its children still running (nginx's master
    /// and its workers), from `/proc`.
    static func cpuSeconds(ofProcessTree pid: Int32) -> Double {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var total = 0.0
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let candidate = Int32(entry), let stat = ProcFile.text("/proc/\(entry)/stat"),
                  let close = stat.lastIndex(of: ")") else { continue }
            // Fields after the command's closing parenthesis: state, ppid, … utime (14th), stime (15th).
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 13, let parent = Int32(fields[1]), candidate == pid || parent == pid,
                  let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
            total += (user + system) / ticks
        }
        return total
    }
}

import Foundation
import Glibc
import LastmileBase
import LastmileCore

/// The standard `process_*` metrics, read from /proc.
enum ProcessMetrics {
    static func families() -> [MetricFamily] {
        var families: [MetricFamily] = []
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        if let stat = ProcFile.text("/proc/self/stat"),
           let close = stat.lastIndex(of: ")") {
            // Fields after the command name, which may itself contain spaces.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 20, let user = Double(fields[11]), let system = Double(fields[12]), let start = Double(fields[19]) {
                families.append(MetricFamily(name: "process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds.",
                                             kind: .counter, values: [[:]: (user + system) / ticks]))
                if let boot = bootTime() {
                    families.append(MetricFamily(name: "process_start_time_seconds",
                                                 help: "Start time of the process since unix epoch in seconds.",
                                                 kind: .gauge, values: [[:]: boot + start / ticks]))
                }
            }
        }
        if let statm = ProcFile.text("/proc/self/statm") {
            let fields = statm.split(separator: " ")
            if fields.count > 1, let pages = Double(fields[1]) {
                families.append(MetricFamily(name: "process_resident_memory_bytes", help: "Resident memory size in bytes.",
                                             kind: .gauge, values: [[:]: pages * Double(sysconf(Int32(_SC_PAGESIZE)))]))
            }
        }
        if let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            families.append(MetricFamily(name: "process_open_fds", help: "Number of open file descriptors.",
                                         kind: .gauge, values: [[:]: Double(descriptors.count)]))
        }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 {
            families.append(MetricFamily(name: "process_max_fds", help: "Maximum number of open file descriptors.",
                                         kind: .gauge, values: [[:]: Double(limit.rlim_cur)]))
        }
        return families
    }

    static func bootTime() -> Double? {
        guard let stat = ProcFile.text("/proc/stat") else { return nil }
        for line in stat.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}

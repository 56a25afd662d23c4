// Benchmarks that print figures beside a reference measured in the same run.
//
//   swift run -c release lastmile-bench [ingest|store|correlation|scrape|report|memory|precision|detection|connections]...
//       [--store postgresql://user@host:port/database]   (ingest on a scratch database of that server, beside pgbench)
//       [--json] [--rate R]... [--loss L]... [--runs N] [--latency S] [--healthy N] [--interval S]
//                           (detection: JSON; only these cells, N runs each; a healthy median latency of S seconds)
import Foundation
import LastmileCore
import LastmileStore

var arguments = Array(CommandLine.arguments.dropFirst())
var server: String?
if let index = arguments.firstIndex(of: "--store"), index + 1 < arguments.count {
    server = arguments[index + 1]
    arguments.removeSubrange(index...(index + 1))
}
let postgres = server
// The detection benchmark reads its own options from CommandLine.arguments.
for (flag, takesValue) in [("--json", false), ("--rate", true), ("--loss", true), ("--runs", true), ("--latency", true), ("--healthy", true), ("--interval", true)] {
    while let index = arguments.firstIndex(of: flag) {
        arguments.removeSubrange(index...min(index + (takesValue ? 1 : 0), arguments.count - 1))
    }
}

let available: [String: () async throws -> Void] = [
    "store": StoreBenchmark.run,
    "correlation": CorrelationBenchmark.run,
    "ingest": { try await IngestBenchmark.run(store: postgres) },
    "scrape": ScrapeBenchmark.run,
    "report": ReportBenchmark.run,
    "memory": MemoryBenchmark.run,
    "precision": PrecisionBenchmark.run,
    "detection": DetectionBenchmark.run,
    "connections": ConnectionsBenchmark.run,
]

let requested = arguments
let names = requested.isEmpty ? available.keys.sorted() : Array(requested)
for name in names {
    guard let benchmark = available[name] else {
        FileHandle.standardError.write(Data("unknown benchmark \(name); known: \(available.keys.sorted().joined(separator: ", "))\n".utf8))
        exit(2)
    }
    try await benchmark()
}

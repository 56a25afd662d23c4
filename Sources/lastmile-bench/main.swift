// Benchmarks that print figures beside a reference measured in the same run.
//
//   swift run -c release lastmile-bench [ingest|store|correlation|scrape|report|memory|precision|detection|connections]...
import Foundation
import LastmileCore
import LastmileStore

let available: [String: () async throws -> Void] = [
    "store": StoreBenchmark.run,
    "correlation": CorrelationBenchmark.run,
    "ingest": IngestBenchmark.run,
    "scrape": ScrapeBenchmark.run,
    "report": ReportBenchmark.run,
    "memory": MemoryBenchmark.run,
    "precision": PrecisionBenchmark.run,
    "detection": DetectionBenchmark.run,
    "connections": ConnectionsBenchmark.run,
]

let requested = CommandLine.arguments.dropFirst()
let names = requested.isEmpty ? available.keys.sorted() : Array(requested)
for name in names {
    guard let benchmark = available[name] else {
        FileHandle.standardError.write(Data("unknown benchmark \(name); known: \(available.keys.sorted().joined(separator: ", "))\n".utf8))
        exit(2)
    }
    try await benchmark()
}

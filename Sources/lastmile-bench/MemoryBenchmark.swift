import Foundation
import LastmileBase
import LastmileConfig
import LastmileProviders
import LastmileCore
import LastmileDaemon

/// Resident memory idle with the demo's configuration, and with 100,000 canaries in flight.
/// The reference is this process before the daemon starts (Foundation and the runtime).
enum MemoryBenchmark {
    static func run() async throws {
        let before = Tools.residentBytes()
        let directory = try Tools.temporaryDirectory("memory")
        defer { try? FileManager.default.removeItem(at: directory) }
        let demo = try String(contentsOfFile: "probes/demo.toml", encoding: .utf8)
        let daemon = try await Daemon.start(Daemon.Options(
            loadConfiguration: { ConfigLoader.load(text: Array(demo.utf8), path: "demo.toml", catalogue: .standard, environment: [:]) },
            logger: Logger(minimum: .error), notifier: SystemdNotifier(environment: [:]),
            listenOverride: ListenAddress(host: "127.0.0.1", port: 0, isIPv6: false),
            storePathOverride: directory.appendingPathComponent("memory.db").path))
        try await Task.sleep(for: .seconds(3))
        let idle = Tools.residentBytes()
        await daemon.stop(grace: 2)

        // The real service: `lastmile run` on the demo's configuration, in a process of its own.
        var service = Double.nan
        var linkage = "not found beside the benchmark"
        if let binary = Tools.lastmileBinary {
            let child = try Tools.runDemoService(binary, listen: "127.0.0.1:0", store: directory.appendingPathComponent("service.db").path)
            try await Task.sleep(for: .seconds(5))
            service = Tools.residentBytes(pid: child.pid)
            linkage = Tools.mapsSwiftRuntimeLibrary(pid: child.pid)
                ? "Swift runtime and Foundation as shared libraries"
                : "Swift runtime and Foundation linked in, as deploy/build-deb ships it"
            child.terminate()
            _ = await child.status()
        }

        var correlator = Correlator()
        let start = Date()
        for index in 0..<100_000 {
            let token = Token.random()
            let plan = CanaryPlan(id: UUID().uuidString.lowercased(), token: token, route: "route-\(index % 50)", carrier: "carrier-\(index % 7)",
                                  probe: "probe-\(index % 50)", receiver: "rx-\(index % 7)", to: "+15551230001", from: "+15005550006",
                                  body: "Lastmile check \(token)", threshold: 60, deadline: 900)
            _ = correlator.submitStarted(plan, at: start)
            _ = correlator.submitAnswered(id: plan.id, answer: SubmitAnswer(outcome: .accepted, providerMessageID: "SM\(index)"), at: start)
        }
        let loaded = Tools.residentBytes()
        print("memory: resident set size")
        print("  before the daemon (runtime and Foundation, reference): \(formatted(before / 1_048_576, digits: 1)) MiB")
        print("  idle daemon in this process, demo configuration:     \(formatted(idle / 1_048_576, digits: 1)) MiB")
        print("  `lastmile run` on probes/demo.toml after 5 s:          \(formatted(service / 1_048_576, digits: 1)) MiB (target ≤ 32 MiB; \(linkage))")
        print("  with 100,000 canaries in flight in the correlator:    \(formatted(loaded / 1_048_576, digits: 1)) MiB, \(correlator.inFlightCount) in flight: +\(formatted((loaded - idle) / 1_048_576, digits: 1)) MiB above the idle daemon (target ≤ 100 MiB)")
    }
}

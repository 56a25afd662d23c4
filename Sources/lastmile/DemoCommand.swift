import Dispatch
import Foundation
import Glibc
import LastmileBase
import LastmileConfig
import LastmileProviders
import LastmileCore
import LastmileDaemon
import LastmileSimulator
import LastmileStore
import Synchronization

/// `lastmile demo`: the daemon against the simulated network, on loopback, with a live view and a closing report.
enum DemoCommand {
    static let spec = CommandSpec(
        "demo", synopsis: "[--config FILE] [--duration D] [--seed N] [--listen ADDR]",
        summary: "Runs the whole system against a simulated network on loopback: live figures, the alerts it raised, and a report at the end.",
        options: [
            .init("config", "FILE", "run this configuration instead of the built-in demo"),
            .init("duration", "D", "how long to run, such as 20s or 2m (default 90s)"),
            .init("seed", "N", "the simulated network's seed (default 1)"),
            .init("listen", "ADDR", "where the daemon listens, HOST:PORT (port 0 takes a free one)"),
        ])

    static func run(_ arguments: [String]) async -> Int32 {
        guard let options = spec.read(arguments) else { return ExitStatus.usage }
        let duration: Double
        do {
            duration = try options.positiveDuration("duration", example: "20s or 2m") ?? 90
        } catch {
            return spec.usageError(error.description)
        }
        guard let seed = UInt64(options.values["seed"] ?? "1") else {
            return spec.usageError("--seed must be a non-negative integer")
        }
        var listen: ListenAddress?
        if let text = options.values["listen"] {
            guard case .success(let address) = ListenAddress.parse(text) else {
                return spec.usageError("--listen \(text) is not HOST:PORT")
            }
            listen = address
        }
        let loaded = options.values["config"].map { ConfigLoader.load(path: $0, catalogue: .standard) }
            ?? ConfigLoader.load(text: Array(DemoConfiguration.text.utf8), path: "demo.toml (built in)", catalogue: .standard,
                                 environment: ProcessInfo.processInfo.environment)
        for diagnostic in loaded.diagnostics { Output.error(diagnostic.description) }
        guard var configuration = loaded.configuration else { return ExitStatus.failure }

        // The simulator takes the port the routes name (9734 in the demo), or any free one.
        let simulatorPort = configuration.routes.compactMap { $0.apiURL?.port ?? $0.http.flatMap { URL(string: $0.url)?.port } }.first
        var network = SimulatedNetwork(configuration: configuration, seed: seed, silences: DemoNetwork.silences)
        var port: UInt16
        do {
            port = try network.start(port: UInt16(simulatorPort ?? 0))
        } catch {
            network = SimulatedNetwork(configuration: configuration, seed: seed, silences: DemoNetwork.silences)
            guard let free = try? network.start(port: 0) else {
                Output.error("lastmile demo: the simulated network cannot listen: \(error)")
                return ExitStatus.failure
            }
            port = free
        }
        if let simulatorPort, Int(port) != simulatorPort {
            // The routes must name the port taken: start again there with the rewritten configuration.
            await network.stop()
            configuration = DemoNetwork.pointing(configuration, from: simulatorPort, to: Int(port))
            network = SimulatedNetwork(configuration: configuration, seed: seed, silences: DemoNetwork.silences)
            do {
                port = try network.start(port: port)
            } catch {
                Output.error("lastmile demo: the simulated network cannot listen on port \(port): \(error)")
                return ExitStatus.failure
            }
        }

        let storeDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("lastmile-demo-\(getpid())")
        try? FileManager.default.createDirectory(at: storeDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: storeDirectory) }
        let storePath = configuration.store.pathIsExplicit ? configuration.store.path : storeDirectory.appendingPathComponent("demo.db").path

        let fixed = configuration
        var daemonOptions = Daemon.Options(loadConfiguration: { ConfigLoadResult(configuration: fixed, diagnostics: []) },
                                           logger: Logger(minimum: .error), notifier: SystemdNotifier(environment: [:]),
                                           listenOverride: listen, storePathOverride: storePath)
        let daemon: Daemon
        do throws(Daemon.StartError) {
            daemon = try await Daemon.start(daemonOptions)
        } catch {
            guard case .listen = error, listen == nil else {
                Output.error("lastmile demo: \(error)")
                return ExitStatus.failure
            }
            // The configured port is taken: any free one will do for a demo.
            daemonOptions.listenOverride = ListenAddress(host: configuration.server.listen.host, port: 0,
                                                         isIPv6: configuration.server.listen.isIPv6)
            do {
                daemon = try await Daemon.start(daemonOptions)
            } catch {
                Output.error("lastmile demo: \(error)")
                return ExitStatus.failure
            }
        }
        let base = "http://\(daemon.listenAddress)"
        network.connect(lastmile: URL(string: base)!)

        let display = DemoDisplay(interactive: isatty(STDOUT_FILENO) == 1)
        display.banner(configuration: configuration, base: base, duration: duration, seed: seed, silences: DemoNetwork.silences)
        let interrupted = Interrupt()
        let started = Date()
        let deadline = ContinuousClock.now.advanced(by: .seconds(duration))
        var lastPlain = ContinuousClock.now
        while ContinuousClock.now < deadline && !interrupted.happened {
            try? await Task.sleep(for: .milliseconds(250))
            let summaries = (try? await daemon.summaries(since: started)) ?? []
            if display.interactive {
                display.live(summaries, elapsed: Date().timeIntervalSince(started), duration: duration)
            } else if ContinuousClock.now - lastPlain >= .seconds(10) {
                lastPlain = .now
                display.plain(summaries, elapsed: Date().timeIntervalSince(started))
            }
        }
        interrupted.restore()
        let alerts = daemon.recentAlerts
        await daemon.stop(grace: 2)
        await network.stop()

        let summaries = (try? DemoStore.summaries(path: storePath, since: started)) ?? []
        display.finish(summaries: summaries, from: started, to: Date(), alerts: alerts)
        return ExitStatus.success
    }
}

/// Rewrites route URLs from one loopback port to another.
enum DemoNetwork {
    /// The fourth story: one phone stops reporting 45 s in, and every route to it looks lost.
    static let silences: [String: TimeInterval] = ["phone-tmo": 45]

    static func pointing(_ configuration: LastmileConfiguration, from old: Int, to new: Int) -> LastmileConfiguration {
        var copy = configuration
        func moved(_ text: String) -> String { text.replacingOccurrences(of: ":\(old)/", with: ":\(new)/") }
        copy.routes = configuration.routes.map { route in
            var route = route
            route.apiURL = route.apiURL.flatMap { URL(string: moved($0.absoluteString)) }
            if var http = route.http {
                http.url = moved(http.url)
                route.http = http
            }
            return route
        }
        return copy
    }
}

/// Ctrl-C ends the demo early (and still prints the report).
final class Interrupt {
    private let flag = InterruptFlag()
    private let source: any DispatchSourceSignal

    init() {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [flag] in flag.raise() }
        source.resume()
    }

    var happened: Bool { flag.isRaised }

    func restore() {
        source.cancel()
    }
}

final class InterruptFlag: Sendable {
    private let value = Mutex(false)
    func raise() { value.withLock { $0 = true } }
    var isRaised: Bool { value.withLock { $0 } }
}

/// Reads the summaries of the demo's canaries back once the daemon has closed the store.
enum DemoStore {
    static func summaries(path: String, since: Date) throws -> [RouteCarrierSummary] {
        let store = try CanaryStore(path: path)
        defer { store.beginClosing() }
        return try store.summaries(startedFrom: since, to: Date())
    }
}

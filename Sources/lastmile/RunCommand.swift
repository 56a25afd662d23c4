import Foundation
import LastmileBase
import LastmileConfig
import LastmileProviders
import LastmileDaemon

/// `lastmile run --config FILE`: the daemon, until SIGTERM or SIGINT.
enum RunCommand {
    static let spec = CommandSpec(
        "run", synopsis: "--config FILE [--listen ADDR] [--store PATH|URL] [--log-level LEVEL]",
        summary: "Runs the daemon: probes on schedule, takes receipts and arrivals, serves metrics, raises alerts.",
        options: [
            .init("config", "FILE", "the main configuration file (required)"),
            .init("listen", "ADDR", "replaces [server] listen, HOST:PORT"),
            .init("store", "PATH|URL", "replaces [store] path or url: a SQLite file, or postgresql://user@host:port/database"),
            .init("log-level", "LEVEL", "error, warning, notice, info (the default) or debug",
                  choices: ["error", "warning", "notice", "info", "debug"]),
        ],
        details: ["It runs as a systemd Type=notify service: SIGHUP reloads the configuration (a bad one leaves the running one), "
                  + "SIGTERM or SIGINT stops it after sends and requests in flight have finished."])

    static func run(_ arguments: [String]) async -> Int32 {
        // Before anything else: a SIGHUP while the daemon starts must not end it (a reload queued
        // during activation comes then). SIGTERM and SIGINT keep ending a start at once until the
        // daemon has started: a stop during a long migration must not wait for it.
        SignalInbox.install([SIGHUP])
        // A reader of standard output or error gone (journald restarting) is a failed write, not the end.
        signal(SIGPIPE, SIG_IGN)
        guard let options = spec.read(arguments) else { return ExitStatus.usage }
        guard let path = options.values["config"] else { return spec.usageError("--config is required") }
        var daemonOptions = Daemon.Options(loadConfiguration: { ConfigLoader.load(path: path, catalogue: .standard) })
        if let level = options.values["log-level"] {
            guard let parsed = LogLevelName.parse(level) else {
                return spec.usageError("--log-level must be error, warning, notice, info or debug")
            }
            daemonOptions.logger = Logger(minimum: parsed)
        }
        if let listen = options.values["listen"] {
            switch ListenAddress.parse(listen) {
            case .success(let address): daemonOptions.listenOverride = address
            case .failure(let problem):
                return spec.usageError("--listen \(listen): \(problem.reason)")
            }
        }
        daemonOptions.storePathOverride = options.values["store"]
        let daemon: Daemon
        do {
            daemon = try await Daemon.start(daemonOptions)
        } catch {
            daemonOptions.logger.error("cannot start", [("reason", error.description)])
            Output.error(error.description)
            return ExitStatus.failure
        }
        return await daemon.runUntilSignalled()
    }
}

enum LogLevelName {
    static func parse(_ text: String) -> Logger.Level? {
        switch text.lowercased() {
        case "error": return .error
        case "warning": return .warning
        case "notice": return .notice
        case "info": return .info
        case "debug": return .debug
        default: return nil
        }
    }
}

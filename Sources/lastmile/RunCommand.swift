import Foundation
import LastmileBase
import LastmileConfig
import LastmileProviders
import LastmileDaemon

/// `lastmile run --config FILE`: the daemon, until SIGTERM or SIGINT.
enum RunCommand {
    static func run(_ arguments: [String]) async -> Int32 {
        let options: OptionParser
        do {
            options = try OptionParser(arguments, valued: ["config", "listen", "store", "log-level"])
        } catch {
            Output.error("lastmile run: \(error)")
            return 2
        }
        guard let path = options.values["config"] else {
            Output.error("usage: lastmile run --config FILE [--listen ADDR] [--store PATH] [--log-level LEVEL]")
            return 2
        }
        var daemonOptions = Daemon.Options(loadConfiguration: { ConfigLoader.load(path: path, catalogue: .standard) })
        if let level = options.values["log-level"] {
            guard let parsed = LogLevelName.parse(level) else {
                Output.error("lastmile run: --log-level must be error, warning, notice, info or debug")
                return 2
            }
            daemonOptions.logger = Logger(minimum: parsed)
        }
        if let listen = options.values["listen"] {
            switch ListenAddress.parse(listen) {
            case .success(let address): daemonOptions.listenOverride = address
            case .failure(let problem):
                Output.error("lastmile run: --listen \(listen): \(problem.reason)")
                return 2
            }
        }
        daemonOptions.storePathOverride = options.values["store"]
        let daemon: Daemon
        do {
            daemon = try await Daemon.start(daemonOptions)
        } catch {
            daemonOptions.logger.error("cannot start", [("reason", error.description)])
            Output.error(error.description)
            return 1
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

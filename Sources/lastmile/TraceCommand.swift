import Foundation
import LastmileConfig
import LastmileDaemon
import LastmileStore

/// `lastmile trace (--config FILE | --store PATH) ID|TOKEN [--json]`: one canary's whole timeline.
enum TraceCommand {
    static let usage = "usage: lastmile trace (--config FILE | --store PATH) ID|TOKEN [--json]"

    static func run(_ arguments: [String]) -> Int32 {
        let options: OptionParser
        do {
            options = try OptionParser(arguments, valued: ["config", "store"], flagNames: ["json"])
        } catch {
            Output.error("lastmile trace: \(error)\n\(usage)")
            return 2
        }
        guard options.positional.count == 1, let key = options.positional.first else {
            Output.error(usage)
            return 2
        }
        var storePath = options.values["store"]
        if storePath == nil, let config = options.values["config"] {
            let loaded = ConfigLoader.load(path: config)
            guard let configuration = loaded.configuration else {
                for error in loaded.errors { Output.error(error.description) }
                return 1
            }
            storePath = configuration.store.path
        }
        guard let storePath else {
            Output.error(usage)
            return 2
        }
        guard FileManager.default.fileExists(atPath: storePath) else {
            Output.error("lastmile trace: no store at \(storePath)")
            return 1
        }
        do {
            let store = try CanaryStore(path: storePath)
            defer { store.close() }
            guard let trace = try CanaryTrace(store: store, key: key) else {
                Output.error("lastmile trace: no canary has id or token \(key) in \(storePath)")
                return 1
            }
            if options.flags.contains("json") {
                FileHandle.standardOutput.write(Data(trace.json))
            } else {
                Output.write(trace.text)
            }
            return 0
        } catch {
            Output.error("lastmile trace: cannot read \(storePath): \(error)")
            return 1
        }
    }
}

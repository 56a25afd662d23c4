import Foundation
import LastmileViews
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
        var status: Int32 = 0
        guard let source = StoreSource.resolve(options, usage: usage, exitStatus: &status) else { return status }
        guard source.exists(command: "trace") else { return 1 }
        let storePath = source.path
        do {
            let store = try CanaryStore(path: storePath)
            defer { store.beginClosing() }
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

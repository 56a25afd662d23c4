import Foundation
import LastmileViews
import LastmileStore

/// `lastmile trace (--config FILE | --store PATH) ID|TOKEN [--json]`: one canary's whole timeline.
enum TraceCommand {
    static let spec = CommandSpec(
        "trace", synopsis: "(--config FILE | --store PATH) ID|TOKEN [--json]",
        summary: "Shows one canary's whole timeline, found by its id or its token: schedule, submit, the API's answer, receipts, arrival, verdict.",
        options: [
            .init("config", "FILE", "read the store this configuration names"),
            .init("store", "PATH|URL", "read this store: a SQLite file, or postgresql://user@host:port/database"),
            .init("json", nil, "print the timeline as /api/canaries/{id} does"),
        ], maximumArguments: 1)

    static func run(_ arguments: [String]) -> Int32 {
        guard let options = spec.read(arguments) else { return ExitStatus.usage }
        guard options.positional.count == 1, let key = options.positional.first else {
            return spec.usageError("give one canary id or token")
        }
        var status: Int32 = 0
        guard let source = StoreSource.resolve(options, spec: spec, exitStatus: &status) else { return status }
        guard source.exists(command: "trace") else { return ExitStatus.failure }
        let storePath = source.path
        do {
            let store = try source.open()
            defer { store.beginClosing() }
            guard let trace = try CanaryTrace(store: store, key: key) else {
                Output.error("lastmile trace: no canary has id or token \(key) in \(storePath)")
                return ExitStatus.failure
            }
            if options.flags.contains("json") {
                FileHandle.standardOutput.write(Data(trace.json))
            } else {
                Output.write(trace.text)
            }
            return ExitStatus.success
        } catch {
            Output.error("lastmile trace: cannot read \(storePath): \(error)")
            return ExitStatus.failure
        }
    }
}

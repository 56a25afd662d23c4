import Dispatch
import Foundation
import Glibc
import Synchronization

/// Runs a notifier's command without blocking a thread: the exit is awaited, and a command
/// still running after its timeout is sent SIGTERM, then SIGKILL two seconds later.
enum CommandRunner {
    /// How a run ended.
    enum Outcome: Equatable, Sendable {
        case exited(Int32)
        case timedOut
        case couldNotStart(String)
    }

    /// The environment a command gets: `PATH` and `LANG` from the daemon's, then only the named
    /// variables, then `extra`. Nothing else of the daemon's (its secrets among it) is passed on.
    static func environment(passing names: [String], extra: [String: String],
                            from inherited: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        var environment: [String: String] = [:]
        for name in ["PATH", "LANG"] + names { environment[name] = inherited[name] }
        if environment["PATH"] == nil { environment["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        for (name, value) in extra { environment[name] = value }
        return environment
    }

    static func run(_ command: [String], environment: [String: String], timeout: TimeInterval) async -> Outcome {
        guard let program = command.first else { return .couldNotStart("no program") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = Array(command.dropFirst())
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        let exited = AsyncStream<Int32>.makeStream(bufferingPolicy: .bufferingNewest(1))
        process.terminationHandler = { finished in
            exited.continuation.yield(finished.terminationStatus)
            exited.continuation.finish()
        }
        do {
            try process.run()
        } catch {
            return .couldNotStart("\(error)")
        }
        let pid = process.processIdentifier
        let killed = Atomic<Bool>(false)
        let watchdog = Task {
            try await Task.sleep(for: .seconds(timeout))
            killed.store(true, ordering: .sequentiallyConsistent)
            kill(pid, SIGTERM)
            try await Task.sleep(for: .seconds(2))
            kill(pid, SIGKILL)
        }
        var status: Int32 = -1
        for await code in exited.stream { status = code }
        watchdog.cancel()
        return killed.load(ordering: .sequentiallyConsistent) ? .timedOut : .exited(status)
    }
}

import Dispatch
import Foundation
import Glibc
import Synchronization

/// Runs a notifier's command without blocking a thread: the exit is awaited, and a command
/// still running after its timeout is sent SIGTERM, then SIGKILL two seconds later.
///
/// The child is started with `posix_spawn` rather than `Process`, so that it gets the default
/// action for the signals the daemon catches or ignores (SIGTERM, SIGHUP, SIGINT, SIGPIPE) and an empty
/// signal mask: an ignored SIGTERM is inherited across `exec`, and a command that inherits it
/// cannot be stopped by its timeout, by `systemctl stop` or by a shell's `trap`.
enum CommandRunner {
    /// How a run ended.
    enum Outcome: Equatable, Sendable {
        /// Its exit status; 128 + the signal for a command that a signal ended.
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
        let child: SpawnedProcess
        do {
            child = try SpawnedProcess.spawn(command, environment: environment)
        } catch {
            return .couldNotStart("\(error)")
        }
        let killed = Atomic<Bool>(false)
        let watchdog = Task {
            try await Task.sleep(for: .seconds(timeout))
            killed.store(true, ordering: .sequentiallyConsistent)
            child.signal(SIGTERM)
            try await Task.sleep(for: .seconds(2))
            child.signal(SIGKILL)
        }
        let status = await child.exit()
        watchdog.cancel()
        return killed.load(ordering: .sequentiallyConsistent) ? .timedOut : .exited(status)
    }
}

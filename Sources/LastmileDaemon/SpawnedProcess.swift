import CEpoll
import Dispatch
import Foundation
import Glibc
import Synchronization

/// A command started with `posix_spawn` (stdin and stdout on /dev/null, stderr the daemon's, no
/// other descriptor, a process group of its own), watched through a pidfd: its exit is awaited
/// without a thread, and signals go to it and never to a process that took its pid after it was
/// reaped.
final class SpawnedProcess: Sendable {
    /// Why a command could not start.
    struct SpawnError: Error, CustomStringConvertible {
        var description: String
    }

    /// The signals a child gets back at their default action (the daemon catches or ignores them,
    /// and an ignored one would be inherited across `exec`).
    static let defaultedSignals = [SIGTERM, SIGHUP, SIGINT, SIGPIPE]

    private struct State {
        /// Whether the child has been reaped: then its pid may belong to another process.
        var reaped = false
        /// Whether `descriptor` is still open (the dispatch source closes it when it is done).
        var descriptorOpen: Bool
    }

    let pid: pid_t
    /// The pidfd, or -1 on a kernel without them (before Linux 5.3; then exits are polled).
    private let descriptor: Int32
    private let state: Mutex<State>

    private init(pid: pid_t, descriptor: Int32) {
        self.pid = pid
        self.descriptor = descriptor
        state = Mutex(State(descriptorOpen: descriptor >= 0))
    }

    deinit {
        closeDescriptor()
    }

    static func spawn(_ command: [String], environment: [String: String]) throws -> SpawnedProcess {
        guard let program = command.first, !program.isEmpty else { throw SpawnError(description: "no program") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        // A descriptor whose close-on-exec flag was set a moment after it was opened (a pipe,
        // libpq's socket) must not outlive the spawn in a command that runs for minutes.
        posix_spawn_file_actions_addclosefrom_np(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaulted = sigset_t()
        sigemptyset(&defaulted)
        for signalNumber in defaultedSignals { sigaddset(&defaulted, signalNumber) }
        posix_spawnattr_setsigdefault(&attributes, &defaulted)
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))

        let arguments = command.map { strdup($0) } + [nil]
        let variables = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in arguments { free(pointer) }
            for pointer in variables { free(pointer) }
        }
        var pid: pid_t = 0
        let failure = posix_spawn(&pid, program, &actions, &attributes, arguments, variables)
        guard failure == 0 else { throw SpawnError(description: "\(program): \(String(cString: strerror(failure)))") }
        let descriptor = pidfd_open(pid, 0)
        if descriptor >= 0 { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        return SpawnedProcess(pid: pid, descriptor: descriptor)
    }

    /// Sends `signalNumber` unless the child has been reaped.
    func signal(_ signalNumber: Int32) {
        state.withLock { state in
            guard !state.reaped else { return }
            if state.descriptorOpen {
                _ = pidfd_send_signal(descriptor, signalNumber, nil, 0)
            } else {
                // Not reaped yet, so the pid is still this child's (a zombie at worst).
                kill(pid, signalNumber)
            }
        }
    }

    /// Waits for the child to end and reaps it: its exit status, or 128 + the signal that ended it.
    func exit() async -> Int32 {
        if descriptor >= 0 { await waitReadable() }
        while true {
            if let status = reap() { return status }
            await Self.pause(milliseconds: descriptor >= 0 ? 1 : 50)
        }
    }

    /// The status if the child has ended (and is now reaped), else nil.
    private func reap() -> Int32? {
        state.withLock { state -> Int32? in
            guard !state.reaped else { return -1 }
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == 0 || (result < 0 && errno == EINTR) { return nil }
            state.reaped = true
            guard result == pid else { return -1 }
            let signalled = status & 0x7F
            return signalled == 0 ? (status >> 8) & 0xFF : 128 + signalled
        }
    }

    /// Resumes once the pidfd is readable, which is when the child has ended. The source owns
    /// the descriptor from here: it is closed in the cancel handler, once dispatch no longer
    /// watches it, so that a new descriptor given the same number is never confused with it.
    private func waitReadable() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let source = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: .global())
            source.setEventHandler { source.cancel() }
            source.setCancelHandler {
                self.closeDescriptor()
                continuation.resume()
            }
            source.resume()
        }
    }

    private func closeDescriptor() {
        state.withLock { state in
            guard state.descriptorOpen else { return }
            close(descriptor)
            state.descriptorOpen = false
        }
    }

    /// Waits without a thread and whatever the task's cancellation: a child must be reaped.
    private static func pause(milliseconds: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds)) { continuation.resume() }
        }
    }
}

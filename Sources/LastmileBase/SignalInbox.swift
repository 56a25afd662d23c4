import Foundation
import Glibc
import Synchronization

/// Catches the signals a daemon acts on (stop, reload) from the moment it is installed, and
/// hands them over in the order they came.
///
/// Its handler only writes the signal's number to a pipe (the one thing a handler may safely
/// do), so a signal that comes while the daemon is still starting (a `systemctl reload` queued
/// during activation, a SIGTERM during a long migration) waits there instead of taking its
/// default action, which for SIGHUP is to end the process. A reader thread turns the pipe into
/// an `AsyncStream`.
public enum SignalInbox {
    /// The pipe's writing end, for the handler (`-1` until installed).
    private static let writeEnd = Atomic<Int32>(-1)
    private static let state = Mutex<(readEnd: Int32, handled: Set<Int32>, streaming: Bool)>((-1, [], false))

    /// Installs the handler for `signals`; calling it again adds signals to the same inbox.
    /// Returns false if the pipe could not be made (the signals keep their default action).
    @discardableResult
    public static func install(_ signals: [Int32]) -> Bool {
        state.withLock { state in
            if state.readEnd < 0 {
                var ends: [Int32] = [-1, -1]
                guard pipe(&ends) == 0 else { return false }
                for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
                // The reader blocks; the handler's end must never block.
                _ = fcntl(ends[1], F_SETFL, fcntl(ends[1], F_GETFL) | O_NONBLOCK)
                state.readEnd = ends[0]
                writeEnd.store(ends[1], ordering: .releasing)
            }
            for signalNumber in signals where !state.handled.contains(signalNumber) {
                signal(signalNumber, signalInboxHandler)
                state.handled.insert(signalNumber)
            }
            return true
        }
    }

    /// The signals caught since `install`, as they come; one stream per process.
    public static func signals() -> AsyncStream<Int32> {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        let readEnd = state.withLock { state -> Int32 in
            guard !state.streaming else { return -1 }
            state.streaming = true
            return state.readEnd
        }
        guard readEnd >= 0 else {
            continuation.finish()
            return stream
        }
        let reader = Thread {
            var buffer = [UInt8](repeating: 0, count: 64)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { break }
                for byte in buffer[0..<count] { continuation.yield(Int32(byte)) }
            }
            continuation.finish()
        }
        reader.name = "lastmile-signals"
        reader.start()
        return stream
    }

    /// Writes `signalNumber` to the pipe; called from the handler.
    fileprivate static func deliver(_ signalNumber: Int32) {
        let savedError = errno
        var byte = UInt8(truncatingIfNeeded: signalNumber)
        _ = write(writeEnd.load(ordering: .acquiring), &byte, 1)
        errno = savedError
    }
}

/// The handler `SignalInbox` installs: a C function, so it may capture nothing.
private func signalInboxHandler(_ signalNumber: Int32) {
    SignalInbox.deliver(signalNumber)
}

import Foundation
import Glibc

/// A started child process whose exit and output are awaited, so no thread of the concurrency
/// pool is held waiting for the process to end or for its output.
final class ChildProcess: Sendable {
    let pid: Int32
    private let exit: AsyncStream<Int32>
    private let output: AsyncStream<Data>

    /// Starts `process`; with `captureOutput`, its stdout and stderr are collected until it closes them.
    init(_ process: Process, captureOutput: Bool) throws {
        let exit = AsyncStream<Int32>.makeStream(bufferingPolicy: .bufferingNewest(1))
        process.terminationHandler = { finished in
            exit.continuation.yield(finished.terminationStatus)
            exit.continuation.finish()
        }
        let output = AsyncStream<Data>.makeStream(bufferingPolicy: .bufferingNewest(1))
        var pipe: Pipe?
        if captureOutput {
            let captured = Pipe()
            process.standardOutput = captured
            process.standardError = captured
            pipe = captured
        } else {
            output.continuation.finish()
        }
        try process.run()
        pid = process.processIdentifier
        self.exit = exit.stream
        self.output = output.stream
        if let handle = pipe?.fileHandleForReading {
            // A thread of its own for the blocking read.
            Thread {
                output.continuation.yield(handle.readDataToEndOfFile())
                output.continuation.finish()
            }.start()
        }
    }

    /// Asks the process to end (SIGTERM).
    func terminate() { kill(pid, SIGTERM) }

    /// Its exit status, once it has exited.
    func status() async -> Int32 {
        var status: Int32 = -1
        for await code in exit { status = code }
        return status
    }

    /// Everything it wrote, once it has closed its output.
    func outputText() async -> String {
        var data = Data()
        for await chunk in output { data.append(chunk) }
        return String(decoding: data, as: UTF8.self)
    }
}

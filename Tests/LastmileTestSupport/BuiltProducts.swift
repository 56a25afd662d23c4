import Foundation

/// Finds the executables `swift build` put beside the running test bundle.
public enum BuiltProducts {
    /// The project's root folder (where Package.swift is).
    public static let projectRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The built executable `name`, searched upwards from the test binary's folder.
    public static func executable(_ name: String) -> URL {
        let running = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = running.deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return running.deletingLastPathComponent().appendingPathComponent(name)
    }

    /// What a finished process printed and how it ended.
    public struct Run: Sendable {
        public var status: Int32
        public var output: String
        public var error: String
        /// Standard output as bytes, for programs that print binary.
        public var outputData = Data()
    }

    /// Runs a built executable to completion with the given arguments and environment.
    public static func run(_ name: String, _ arguments: [String], environment: [String: String]? = nil,
                           directory: URL? = nil) async throws -> Run {
        try await run(executable: executable(name), arguments, environment: environment, directory: directory)
    }

    /// Runs any executable to completion on a thread of its own, so no task thread waits on it.
    public static func run(executable: URL, _ arguments: [String], environment: [String: String]? = nil,
                           directory: URL? = nil, input: String? = nil) async throws -> Run {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                do {
                    let process = Process()
                    process.executableURL = executable
                    process.arguments = arguments
                    if let environment { process.environment = environment }
                    if let directory { process.currentDirectoryURL = directory }
                    let output = Pipe(), error = Pipe(), stdin = Pipe()
                    process.standardOutput = output
                    process.standardError = error
                    process.standardInput = input == nil ? FileHandle.nullDevice : stdin
                    try process.run()
                    if let input {
                        stdin.fileHandleForWriting.write(Data(input.utf8))
                        try stdin.fileHandleForWriting.close()
                    }
                    let errorText = TextBuffer()
                    let errorReader = Thread {
                        errorText.append(String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
                    }
                    errorReader.start()
                    let outputData = output.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    while !errorReader.isFinished { usleep(1_000) }
                    continuation.resume(returning: Run(status: process.terminationStatus,
                                                       output: String(decoding: outputData, as: UTF8.self), error: errorText.text,
                                                       outputData: outputData))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.start()
        }
    }
}

/// Runs blocking work on a thread of its own and waits for it without holding a task thread.
public func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: body()) }.start()
    }
}

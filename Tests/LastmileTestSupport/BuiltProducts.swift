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
    }

    /// Runs an executable to completion with the given arguments and environment.
    public static func run(_ name: String, _ arguments: [String], environment: [String: String]? = nil,
                           directory: URL? = nil) throws -> Run {
        let process = Process()
        process.executableURL = executable(name)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = directory }
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                   error: String(decoding: errorData, as: UTF8.self))
    }
}

import Foundation
import Glibc
import Synchronization

/// `lastmile run` started as a child process, with its log captured.
public final class DaemonProcess {
    public let process: Process
    private let log = TextBuffer()
    private let reader: Thread

    public init(arguments: [String], environment: [String: String] = [:]) throws {
        process = Process()
        process.executableURL = BuiltProducts.executable("lastmile")
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        merged.removeValue(forKey: "NOTIFY_SOCKET")
        merged.merge(environment) { _, new in new }
        process.environment = merged
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        let handle = errors.fileHandleForReading
        let log = self.log
        reader = Thread {
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                log.append(String(decoding: data, as: UTF8.self))
            }
        }
        try process.run()
        reader.start()
    }

    /// Everything the daemon logged so far.
    public var logText: String { log.text }

    /// Waits until the log contains `text`; returns the first line containing it.
    public func waitForLog(_ text: String, timeout: Double = 20) async -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let line = logText.split(separator: "\n").first(where: { $0.contains(text) }) { return String(line) }
            if !process.isRunning && !logText.contains(text) { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// The port from the `msg=listening address=HOST:PORT` line.
    public func waitForPort(timeout: Double = 30) async -> UInt16? {
        guard let line = await waitForLog("msg=listening", timeout: timeout),
              let range = line.range(of: "address=") else { return nil }
        let address = line[range.upperBound...].prefix { $0 != " " }
        return address.split(separator: ":").last.flatMap { UInt16($0.trimmingCharacters(in: CharacterSet(charactersIn: "]"))) }
    }

    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for the process to end; its exit status, or nil if it outlived `timeout`.
    public func waitForExit(timeout: Double) async -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        return process.isRunning ? nil : process.terminationStatus
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// One-shot HTTP requests over a fresh loopback connection.
public enum LoopbackHTTP {
    public static func request(port: UInt16, method: String = "GET", path: String, body: String = "",
                               headers: [(String, String)] = [], timeout: Double = 5) async throws -> RawConnection.Response {
        let connection = try RawConnection(port: port)
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { text += "Content-Length: \(body.utf8.count)\r\n" }
        text += "\r\n" + body
        try connection.send(text)
        return try await connection.readResponse(timeout: timeout, headOnly: method == "HEAD")
    }

    public static func postJSON(port: UInt16, path: String, _ object: [String: String],
                                headers: [(String, String)] = []) async throws -> RawConnection.Response {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return try await request(port: port, method: "POST", path: path, body: String(decoding: data, as: UTF8.self),
                           headers: [("Content-Type", "application/json")] + headers)
    }
}

/// Whether promtool is installed; under CI its absence fails the test instead of skipping it.
public enum Promtool {
    public static var path: String? {
        for candidate in ["/usr/bin/promtool", "/usr/local/bin/promtool"] where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return nil
    }

    /// Runs `promtool ARGUMENTS…` in `directory`; returns its exit status and output.
    public static func run(_ arguments: [String], directory: URL? = nil) async throws -> (status: Int32, output: String) {
        guard let path else { throw RawConnection.Failure(description: "promtool is not installed") }
        let run = try await BuiltProducts.run(executable: URL(fileURLWithPath: path), arguments, directory: directory)
        return (run.status, run.output + run.error)
    }

    /// Runs `promtool check metrics` on `text`; returns its exit status and output.
    public static func checkMetrics(_ text: String) async throws -> (status: Int32, output: String) {
        guard let path else { throw RawConnection.Failure(description: "promtool is not installed") }
        let run = try await BuiltProducts.run(executable: URL(fileURLWithPath: path), ["check", "metrics"], input: text)
        return (run.status, run.output + run.error)
    }
}

/// Text appended from one thread and read from another.
public final class TextBuffer: Sendable {
    private let storage = Mutex("")
    public init() {}
    public func append(_ text: String) { storage.withLock { $0 += text } }
    public var text: String { storage.withLock { $0 } }
}

import Foundation
import Testing
import LastmileStore
import LastmileTestSupport

/// Kills a writer process at a random moment and checks that every report it
/// said was committed is in the store.
@Suite struct CrashTests {
    static var writerURL: URL { BuiltProducts.executable("lastmile-crash-writer") }

    @Test func everyAcknowledgedReportSurvivesSIGKILL() async throws {
        let writer = Self.writerURL
        try #require(FileManager.default.isExecutableFile(atPath: writer.path), "build lastmile-crash-writer first")
        var generator = SystemRandomNumberGenerator()
        for round in 1...20 {
            let directory = try TemporaryDirectory()
            let path = directory.path("crash.db")
            let process = Process()
            process.executableURL = writer
            process.arguments = [path]
            let output = Pipe()
            process.standardOutput = output
            try process.run()

            // Wait for "ready", then let it write for a random while before the kill.
            let reader = output.fileHandleForReading
            var received = Data()
            while !(String(decoding: received, as: UTF8.self).contains("ready\n")) {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                received.append(chunk)
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 20...400, using: &generator)))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            received.append(reader.readDataToEndOfFile())
            #expect(process.terminationReason == .uncaughtSignal, "round \(round)")

            // Only whole lines count: the kill may cut the last one short.
            let text = String(decoding: received, as: UTF8.self)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            let acknowledged = Set(lines.compactMap { Int64($0) })
            #expect(acknowledged.count > 0, "round \(round): the writer committed nothing before the kill")

            let store = try CanaryStore(path: path)
            let stored = Set(try store.reportIDs())
            store.close()
            let missing = acknowledged.subtracting(stored)
            #expect(missing.isEmpty, "round \(round): \(missing.count) of \(acknowledged.count) acknowledged reports lost")
        }
    }
}

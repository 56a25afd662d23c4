import Foundation
import Testing
import LastmileStore
import LastmileTestSupport

/// Kills a writer process at a random moment and checks that every report it
/// said was committed is in the store.
@Suite struct CrashTests {
    static var writerURL: URL { BuiltProducts.executable("lastmile-crash-writer") }

    @Test(arguments: StoreEngine.allCases) func everyAcknowledgedReportSurvivesSIGKILL(engine: StoreEngine) async throws {
        let writer = Self.writerURL
        try #require(FileManager.default.isExecutableFile(atPath: writer.path), "build lastmile-crash-writer first")
        var generator = SystemRandomNumberGenerator()
        for round in 1...20 {
            guard let place = try await TestStorePlace.make(engine) else { return }
            let process = Process()
            process.executableURL = writer
            process.arguments = [place.argument]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let received = TextBuffer()
            let handle = output.fileHandleForReading
            let reader = Thread {
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    received.append(String(decoding: chunk, as: UTF8.self))
                }
            }
            reader.start()

            // Wait for "ready" and a first acknowledged write (on a busy machine the first fsync can
            // take a while), then let it write for a random while before the kill.
            let ready = Date().addingTimeInterval(20)
            func firstAcknowledged() -> Bool {
                guard let range = received.text.range(of: "ready\n") else { return false }
                return received.text[range.upperBound...].contains("\n")
            }
            while !firstAcknowledged() && Date() < ready { try await Task.sleep(for: .milliseconds(5)) }
            try await Task.sleep(for: .milliseconds(Int.random(in: 20...400, using: &generator)))
            kill(process.processIdentifier, SIGKILL)
            while process.isRunning || !reader.isFinished { try await Task.sleep(for: .milliseconds(5)) }
            #expect(process.terminationReason == .uncaughtSignal, "round \(round)")

            // Only whole lines count: the kill may cut the last one short.
            let text = received.text
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            let acknowledged = Set(lines.compactMap { Int64($0) })
            #expect(acknowledged.count > 0, "round \(round): the writer committed nothing before the kill")

            let store = try CanaryStore(location: place.location)
            let stored = Set(try store.reportIDs())
            await store.close()
            let missing = acknowledged.subtracting(stored)
            #expect(missing.isEmpty, "round \(round): \(missing.count) of \(acknowledged.count) acknowledged reports lost")
        }
    }
}

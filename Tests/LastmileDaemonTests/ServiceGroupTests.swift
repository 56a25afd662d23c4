import LastmileBase
import Synchronization
import Testing
@testable import LastmileDaemon

/// Services stop stage by stage, each only after the one before has returned, and drains wait
/// for their work without polling.
@Suite struct ServiceGroupTests {
    final class Journal: Sendable {
        private let entries = Mutex<[String]>([])
        /// Opens once three services have noted that they run.
        let threeRunning = AsyncLatch()
        var all: [String] { entries.withLock { $0 } }

        func note(_ entry: String) {
            let running = entries.withLock { entries -> Int in
                entries.append(entry)
                return entries.filter { $0.hasSuffix("running") }.count
            }
            if running >= 3 { threeRunning.open() }
        }
    }

    /// Notes when it is asked to stop; takes `linger` to finish after that.
    struct Recorder: Service {
        let name: String
        let journal: Journal
        let linger: Duration

        func run(until shutdown: Shutdown) async {
            journal.note("\(name) running")
            await shutdown.requested.wait()
            journal.note("\(name) asked")
            try? await Task.sleep(for: linger)
            journal.note("\(name) stopped")
        }
    }

    /// Ignores its shutdown and its cancellation until `release` opens.
    struct Stuck: Service {
        let name = "stuck"
        let journal: Journal
        let release: AsyncLatch

        func run(until shutdown: Shutdown) async {
            journal.note("stuck running")
            await Task.detached { await release.wait() }.value
        }
    }

    @Test func aServiceThatDoesNotStopIsLeftBehindAndTheStagesAfterItStillStop() async {
        let journal = Journal()
        let release = AsyncLatch()
        let group = ServiceGroup(stages: [
            [Recorder(name: "scheduler", journal: journal, linger: .zero)],
            [Stuck(journal: journal, release: release)],
            [Recorder(name: "notifications", journal: journal, linger: .zero)],
        ], logger: Logger(minimum: .error))
        let running = Task { await group.run() }
        await journal.threeRunning.wait()
        let everyOneStopped = await group.shutdown(grace: .milliseconds(50), overrun: .milliseconds(50))
        #expect(!everyOneStopped)
        #expect(journal.all.contains("notifications stopped"), "\(journal.all)")
        release.open()
        await running.value
    }

    @Test func stagesStopInOrderAndEachWaitsForTheOneBefore() async {
        let journal = Journal()
        let group = ServiceGroup(stages: [
            [Recorder(name: "scheduler", journal: journal, linger: .milliseconds(30))],
            [Recorder(name: "sends", journal: journal, linger: .milliseconds(10)),
             Recorder(name: "http", journal: journal, linger: .zero)],
            [LoopService("settlement") {
                while !Task.isCancelled { try? await Task.sleep(for: .seconds(60)) }
                journal.note("settlement stopped")
            }],
        ], logger: Logger(minimum: .error))
        let running = Task { await group.run() }
        await journal.threeRunning.wait()
        await group.shutdown(grace: .seconds(30))
        await running.value
        let entries = journal.all
        func index(_ entry: String) -> Int { entries.firstIndex(of: entry) ?? -1 }
        #expect(index("scheduler stopped") < index("sends asked"), "\(entries)")
        #expect(index("scheduler stopped") < index("http asked"), "\(entries)")
        #expect(index("sends stopped") < index("settlement stopped"), "\(entries)")
        #expect(index("http stopped") < index("settlement stopped"), "\(entries)")
        #expect(entries.last == "settlement stopped", "a loop is cancelled when asked: \(entries)")
    }

    @Test func aDrainWaitsForWorkInFlightAndRefusesNewWork() async {
        let work = InFlightWork()
        let release = AsyncLatch()
        let finished = AsyncLatch()
        work.spawn {
            await release.wait()
            finished.open()
        }
        #expect(work.count == 1)
        #expect(await work.drained(timeout: .milliseconds(20)) == false)
        work.close()
        #expect(work.start() == false, "closed work took a new piece")
        release.open()
        #expect(await work.drained(timeout: .seconds(30)))
        #expect(finished.isOpen)
        #expect(work.count == 0)
    }

    @Test func aDrainGivesUpAtTheDeadline() async {
        let work = InFlightWork()
        let never = AsyncLatch()
        work.spawn { await never.wait() }
        let shutdown = Shutdown()
        let drain = DrainService(name: "sends", work: work, logger: Logger(minimum: .error))
        shutdown.request(by: ContinuousClock.now.advanced(by: .milliseconds(50)))
        await drain.run(until: shutdown)
        #expect(work.count == 1, "the drain returned at its deadline with the work still in flight")
        never.open()
    }
}

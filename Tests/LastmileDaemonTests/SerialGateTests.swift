import LastmileBase
import Synchronization
import LastmileTestSupport
import Testing
@testable import LastmileDaemon

/// One body at a time, however they suspend.
@Suite struct SerialGateTests {
    final class Trace: Sendable {
        let events = Mutex<[String]>([])
        func add(_ event: String) { events.withLock { $0.append(event) } }
        var all: [String] { events.withLock { $0 } }
    }

    @Test func bodiesNeverInterleave() async throws {
        let gate = SerialGate()
        let trace = Trace()
        let release = AsyncLatch()
        let first = Task {
            await gate.run {
                trace.add("first begins")
                await release.wait()
                trace.add("first ends")
            }
        }
        #expect(await Eventually.holds(poll: .milliseconds(1)) { !trace.all.isEmpty })
        var later: [Task<Void, Never>] = []
        for name in ["second", "third"] {
            later.append(Task {
                await gate.run {
                    trace.add("\(name) begins")
                    try? await Task.sleep(for: .milliseconds(5))
                    trace.add("\(name) ends")
                }
            })
        }
        try await Task.sleep(for: .milliseconds(50))
        #expect(trace.all == ["first begins"], "nothing else ran while the first was suspended")
        release.open()
        await first.value
        for task in later { await task.value }
        let all = trace.all
        #expect(all.count == 6 && Array(all.prefix(2)) == ["first begins", "first ends"], "\(all)")
        // Each later body begins and ends before the other begins.
        #expect(all[2].hasSuffix(" begins") && all[3] == all[2].replacingOccurrences(of: "begins", with: "ends"), "\(all)")
        #expect(all[4].hasSuffix(" begins") && all[5] == all[4].replacingOccurrences(of: "begins", with: "ends"), "\(all)")
    }
}

import Foundation
import Glibc
import LastmileTestSupport
import Synchronization
import LastmileProviders
import Testing
@testable import LastmileDaemon
@testable import LastmileStore

extension WholeSystemSuites {
    /// A shared store's failures: the database restarted under load, and a leader cut off from it.
    @Suite(.serialized) struct ClusterFaultTests {
        static func config(providerPort: UInt16, store: String, interval: String = "200ms") -> String {
            EndToEndTests.config(providerPort: providerPort, interval: interval, extra: """

                [store]
                url = "\(store)"

                [cluster]
                lease = "2s"
                """)
        }

        @Test func theDatabaseRestartedUnderLoadGets503MeanwhileAndLosesNothingAcknowledged() async throws {
            guard let database = try await PostgresTestCluster.start() else { return }
            let provider = try FakeProvider()
            let directory = try TemporaryDirectory()
            let path = try directory.write("lastmile.toml", Self.config(providerPort: provider.port, store: database.url, interval: "1h"))
            var instances: [DaemonProcess] = []
            var ports: [UInt16] = []
            for _ in 0..<2 {
                let instance = try DaemonProcess(arguments: ["run", "--config", path], environment: ["BULK_TOKEN": "t"])
                ports.append(try #require(await instance.waitForPort(), "\(instance.logText)"))
                instances.append(instance)
            }
            let firstLeader = await ClusterTests.leaders(ports)
            try #require(firstLeader.count == 1)

            // Four clients post arrivals to both instances while the database goes away and comes back.
            let acknowledged = Acknowledged()
            let statuses = StatusTally()
            let targets = ports
            let load = Task {
                await withTaskGroup(of: Void.self) { group in
                    for worker in 0..<4 {
                        group.addTask {
                            while !statuses.isStopped {
                                let index = statuses.nextIndex()
                                let body = #"{"from":"+15550000000","body":"restart report \#(index)"}"#
                                guard let response = try? await LoopbackHTTP.request(
                                    port: targets[worker % targets.count], method: "POST", path: "/hooks/arrivals/phone", body: body,
                                    headers: [("Authorization", "Bearer arrival-token"), ("Content-Type", "application/json")], timeout: 30)
                                else { continue }
                                statuses.add(response.status)
                                if response.status == 200 { acknowledged.add(index) }
                                if response.status != 200 { try? await Task.sleep(for: .milliseconds(20)) }
                            }
                        }
                    }
                }
            }
            #expect(await Eventually.holds(poll: .milliseconds(20)) { acknowledged.all.count >= 200 }, "reports stopped being acknowledged")
            try await database.stop()
            let refusedBefore = statuses.count(503)
            var waited = 0
            while statuses.count(503) < refusedBefore + 20 && waited < 600 {
                try await Task.sleep(for: .milliseconds(50))
                waited += 1
            }
            let acknowledgedWhileDown = acknowledged.all.count
            try await database.start()
            // Reports are taken again once the database is back.
            waited = 0
            while acknowledged.all.count < acknowledgedWhileDown + 300 && waited < 600 {
                try await Task.sleep(for: .milliseconds(50))
                waited += 1
            }
            statuses.stop()
            await load.value
            let seen = statuses.all
            #expect((seen[503] ?? 0) >= 20, "\(seen)")
            #expect(Set(seen.keys).isSubset(of: [200, 503]), "\(seen)")
            #expect(acknowledged.all.count >= acknowledgedWhileDown + 300, "\(seen)")
            #expect(await ClusterTests.leaders(ports).count == 1, "exactly one leader after the restart")

            // Everything acknowledged is stored: joined by the leader, or waiting in the inbox.
            for instance in instances { instance.signal(SIGTERM) }
            for instance in instances { #expect(await instance.waitForExit(timeout: 20) == 0, "\(instance.logText.suffix(1_500))") }
            let store = try CanaryStore(location: .postgres(url: database.url))
            defer { store.beginClosing() }
            var stored = Set(try store.arrivalBodies(containing: "restart report ").compactMap { Int($0.dropFirst("restart report ".count)) })
            for entry in try store.inbox(limit: 100_000) {
                let text = String(decoding: entry.reports, as: UTF8.self)
                if let range = text.range(of: "restart report ") {
                    stored.insert(Int(text[range.upperBound...].prefix { $0.isNumber }) ?? -1)
                }
            }
            let missing = acknowledged.all.subtracting(stored)
            #expect(missing.isEmpty, "\(missing.count) of \(acknowledged.all.count) acknowledged reports missing")
            await database.remove()
        }

        @Test func anInboxEntryTheLeaderCannotReadIsHeldNotDroppedAndTriedAgainAtTheNextTakeover() async throws {
            guard let place = try await TestStorePlace.make(.postgres), case .postgres(let url) = place.location else { return }
            let store = try CanaryStore(location: place.location)
            defer { store.beginClosing() }
            // As a later version might write it: a kind this one does not know.
            let unreadable = Data(#"{"kind":"voicemail","source":"phone","arrivals":[]}"#.utf8)
            try await store.enqueue(InboxEntry(receivedAt: Date(), instance: "newer", reports: unreadable, rawPayload: Data("raw".utf8)))
            let readable = try InboxReports(arrivals: [ParsedArrival(from: "+15550000000", to: nil, body: "behind the unreadable one",
                                                                     receivedAt: nil)], receiver: "phone").encoded()
            try await store.enqueue(InboxEntry(receivedAt: Date(), instance: "other", reports: readable, rawPayload: Data("raw".utf8)))

            let provider = try FakeProvider()
            let path = try place.directory.write("lastmile.toml", Self.config(providerPort: provider.port, store: url, interval: "1h"))
            for run in 1...2 {
                let instance = try DaemonProcess(arguments: ["run", "--config", path], environment: ["BULK_TOKEN": "t"])
                let port = try #require(await instance.waitForPort(), "\(instance.logText)")
                #expect(await instance.waitForLog("inbox entry unreadable; held") != nil, "run \(run): \(instance.logText.suffix(1_500))")
                var metrics = ""
                for _ in 0..<400 where !metrics.contains("lastmile_inbox_held_entries 1\n") {
                    metrics = (try? await LoopbackHTTP.request(port: port, path: "/metrics", timeout: 2))?.body ?? ""
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(metrics.contains("lastmile_inbox_held_entries 1\n"), "run \(run)")
                // The entry behind it was joined; the unreadable one is kept whole, out of the line.
                #expect(try store.arrivalBodies(containing: "behind the unreadable one").count == 1, "run \(run)")
                let held = try store.inbox(limit: 10, held: true)
                #expect(held.map(\.reports) == [unreadable], "run \(run)")
                #expect(held.map(\.instance) == ["newer"], "run \(run)")
                #expect(try store.inbox(limit: 10).isEmpty, "run \(run)")
                instance.signal(SIGTERM)
                #expect(await instance.waitForExit(timeout: 20) == 0, "\(instance.logText.suffix(1_500))")
            }
        }

        @Test func aLeaderCutOffFromTheDatabaseStopsSendingBeforeAnotherStarts() async throws {
            guard let place = try await TestStorePlace.make(.postgres), case .postgres(let url) = place.location,
                  let databasePort = URLComponents(string: url)?.port else { return }
            let proxy = try TCPProxy(to: UInt16(databasePort))
            defer { proxy.close() }
            var proxied = try #require(URLComponents(string: url))
            proxied.port = Int(proxy.port)
            let firstProvider = try FakeProvider(), secondProvider = try FakeProvider()
            let directory = place.directory
            let firstPath = try directory.write("a.toml", Self.config(providerPort: firstProvider.port, store: proxied.string!))
            let secondPath = try directory.write("b.toml", Self.config(providerPort: secondProvider.port, store: url))

            let first = try DaemonProcess(arguments: ["run", "--config", firstPath], environment: ["BULK_TOKEN": "t"])
            let firstPort = try #require(await first.waitForPort(), "\(first.logText)")
            #expect(await ClusterTests.leaders([firstPort]) == [firstPort])
            let second = try DaemonProcess(arguments: ["run", "--config", secondPath], environment: ["BULK_TOKEN": "t"])
            let secondPort = try #require(await second.waitForPort(), "\(second.logText)")
            _ = await firstProvider.waitForSends(5)
            #expect(secondProvider.messages.isEmpty, "the follower sent while the leader led")

            // The network between the leader and the database fails: nothing is refused, nothing answers.
            proxy.cut()
            let taken = await secondProvider.waitForSends(5, timeout: 30)
            #expect(taken.count >= 5, "the other instance never took over: \(second.logText.suffix(1_500))")
            let lastOfFirst = try #require(firstProvider.messages.map(\.at).max())
            let firstOfSecond = try #require(taken.map(\.at).min())
            #expect(lastOfFirst < firstOfSecond, "the cut-off leader sent \(lastOfFirst - firstOfSecond) after the new one began")
            #expect(await ClusterTests.leads(port: secondPort) == true)
            #expect(await ClusterTests.leads(port: firstPort) != true, "the cut-off instance still says it leads")

            second.signal(SIGTERM)
            #expect(await second.waitForExit(timeout: 20) == 0)
            first.signal(SIGKILL)
            _ = await first.waitForExit(timeout: 10)
        }
    }
}

/// Answers by status, and the numbering of the reports a load test posts.
final class StatusTally: Sendable {
    private let state = Mutex<(statuses: [Int: Int], next: Int, stopped: Bool)>(([:], 0, false))

    func add(_ status: Int) { state.withLock { $0.statuses[status, default: 0] += 1 } }
    func count(_ status: Int) -> Int { state.withLock { $0.statuses[status] ?? 0 } }
    var all: [Int: Int] { state.withLock { $0.statuses } }
    func nextIndex() -> Int { state.withLock { $0.next += 1; return $0.next } }
    func stop() { state.withLock { $0.stopped = true } }
    var isStopped: Bool { state.withLock { $0.stopped } }
}

import Foundation
import HTTP
import LastmileBase
import LastmileConfig
import LastmileCore
import LastmileStore
import Synchronization
import LastmileTestSupport
import Testing
@testable import LastmileDaemon

/// Notices for a receiver that is down, over real HTTP on loopback.
@Suite struct AlertDeliveryQueueTests {
    /// A webhook receiver that refuses what `refuses` says, and records what it took.
    final class Receiver: Sendable {
        final class Log: Sendable {
            let taken = Mutex<[(route: String, status: String)]>([])
            let refusals: Mutex<[String: Int]>
            init(refusing: [String: Int]) { refusals = Mutex(refusing) }
        }

        let server: HTTPServer
        let port: UInt16
        private let log: Log

        /// Refuses (503) the first `refusing[route]` posts about each route.
        init(refusing: [String: Int]) throws {
            let log = Log(refusing: refusing)
            self.log = log
            server = HTTPServer { request in
                guard let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any],
                      let route = object["route"] as? String, let status = object["status"] as? String else {
                    return .error(.badRequest, "expected an alert")
                }
                let refuse = log.refusals.withLock { refusals -> Bool in
                    guard let left = refusals[route], left > 0 else { return false }
                    refusals[route] = left - 1
                    return true
                }
                if refuse { return .error(.serviceUnavailable, "down") }
                log.taken.withLock { $0.append((route, status)) }
                return .json(Array("{}".utf8))
            }
            port = try server.listen(host: "127.0.0.1", port: 0)
        }

        deinit { server.close() }

        var received: [String] { log.taken.withLock { $0.map { "\($0.route) \($0.status)" } } }
    }

    static func notice(route: String, _ status: AlertNotice.Status) -> AlertNotice {
        let finding = AlertFinding(name: .acceptedButUndelivered, key: SLOKey(slo: "s", route: route, carrier: "c"), severity: "page",
                                   tier: AlertTier(severity: "page", long: 3_600, short: 300, factor: 14.4), badEvents: 5, totalEvents: 10,
                                   lowerBound: 0.3, allowedRate: 0.01)
        return AlertNotice(status: status, finding: finding, startsAt: Date(timeIntervalSince1970: 1_000), link: "http://x")
    }

    static func queue(to port: UInt16, work: InFlightWork) -> AlertDeliveryQueue {
        let notifier = AlertNotifier(configuration: NotifierConfiguration(kind: .webhook, url: URL(string: "http://127.0.0.1:\(port)/hook"),
                                                                          command: [], timeout: 5),
                                     client: HTTPClient(), logger: Logger(minimum: .error), work: work)
        return AlertDeliveryQueue(notifier: notifier, firstBackoff: .milliseconds(5), maximumBackoff: .milliseconds(40))
    }

    @Test func aReceiverDownForManyAttemptsStillHearsEachAlertOnceInItsLatestState() async throws {
        // Far more refusals than the five attempts a batch used to get before it was dropped.
        let receiver = try Receiver(refusing: ["down": 40])
        let work = InFlightWork()
        let queue = Self.queue(to: receiver.port, work: work)
        queue.enqueue([Self.notice(route: "down", .firing), Self.notice(route: "up", .firing)])
        // While the receiver refuses it, the page resolves: the resolution replaces the page.
        #expect(await Eventually.holds { receiver.received.contains("up firing") })
        queue.enqueue([Self.notice(route: "down", .resolved)])
        #expect(await work.drained(timeout: .seconds(60)))
        #expect(queue.waiting.isEmpty)
        // What went out once is not sent again because another notice failed beside it.
        #expect(receiver.received == ["up firing", "down resolved"])
    }

    @Test func aFailedDeliveryIsLoggedWithItsReasonAndWithoutTheURL() async throws {
        let receiver = try Receiver(refusing: ["down": 1])
        let (sink, lines) = LogSink.memory()
        let notifier = AlertNotifier(configuration: NotifierConfiguration(kind: .webhook,
                                                                          url: URL(string: "http://127.0.0.1:\(receiver.port)/hook?key=s3cret"),
                                                                          command: [], timeout: 5),
                                     client: HTTPClient(), logger: Logger(minimum: .info, sink: sink), work: InFlightWork(),
                                     failures: LogThrottle(limit: 5, per: .seconds(300)))
        #expect(await notifier.deliver([Self.notice(route: "down", .firing)]).delivered.isEmpty)
        let line = try #require(lines().first { $0.contains("alert notification not delivered") }, "\(lines())")
        #expect(line.contains("notifier=webhook") && line.contains("host=127.0.0.1") && line.contains("HTTP 503"), "\(line)")
        #expect(!line.contains("s3cret"), "\(line)")
        #expect(await notifier.deliver([Self.notice(route: "down", .firing)]).delivered.count == 1)
    }

    @Test func aNotifierURLsCredentialsGoAsBasicAuthorization() async throws {
        final class Seen: Sendable {
            let authorization = Mutex<String?>(nil)
        }
        let seen = Seen()
        let server = HTTPServer { request in
            seen.authorization.withLock { $0 = request.headers["Authorization"] }
            return .json(Array("{}".utf8))
        }
        let port = try server.listen(host: "127.0.0.1", port: 0)
        defer { server.close() }
        let notifier = AlertNotifier(configuration: NotifierConfiguration(kind: .alertmanager,
                                                                          url: URL(string: "http://lastmile:p%40ss@127.0.0.1:\(port)"),
                                                                          command: [], timeout: 5),
                                     client: HTTPClient(), logger: Logger(minimum: .error), work: InFlightWork())
        #expect(await notifier.deliver([Self.notice(route: "r", .firing)]).delivered.count == 1)
        #expect(seen.authorization.withLock { $0 } == "Basic " + Data("lastmile:p@ss".utf8).base64EncodedString())
    }

    @Test func aNoticeReplacedWhileItIsBeingDeliveredIsFollowedByItsReplacement() async throws {
        let receiver = try Receiver(refusing: [:])
        let work = InFlightWork()
        let queue = Self.queue(to: receiver.port, work: work)
        for round in 0..<20 {
            queue.enqueue([Self.notice(route: "r\(round)", .firing)])
            queue.enqueue([Self.notice(route: "r\(round)", .resolved)])
        }
        #expect(await work.drained(timeout: .seconds(60)))
        // Whatever each alert's firing managed to do, its resolution came after it, and last.
        for round in 0..<20 {
            let heard = receiver.received.filter { $0.hasPrefix("r\(round) ") }
            #expect(heard.last == "r\(round) resolved", "\(heard)")
            #expect(heard.count <= 2 && Set(heard).count == heard.count, "\(heard)")
        }
    }

    @Test func anAbandonedQueueStopsTrying() async throws {
        let receiver = try Receiver(refusing: ["down": 1_000_000])
        let work = InFlightWork()
        let queue = Self.queue(to: receiver.port, work: work)
        queue.enqueue([Self.notice(route: "down", .firing)])
        #expect(queue.abandon() == 1)
        #expect(await work.drained(timeout: .seconds(60)))
        queue.enqueue([Self.notice(route: "down", .resolved)])
        #expect(queue.waiting.isEmpty)
    }
}

extension AlertDeliveryQueueTests {
    /// The stamps a queue hands back to be taken out of the store's outbox.
    final class Retired: Sendable {
        let stamps = Mutex<[AlertOutboxEntry.Stamp]>([])
    }

    static func stamp(_ alert: String, _ version: Int64) -> AlertOutboxEntry.Stamp {
        AlertOutboxEntry.Stamp(notifier: "webhook", alert: alert, version: version)
    }

    @Test func aDeliveredOrReplacedNoticeLeavesTheOutboxAndAnAbandonedOneStays() async throws {
        let receiver = try Receiver(refusing: ["down": 1_000_000])
        let work = InFlightWork()
        let retired = Retired()
        let notifier = Self.queue(to: receiver.port, work: work).notifier
        let queue = AlertDeliveryQueue(notifier: notifier, firstBackoff: .milliseconds(5), maximumBackoff: .milliseconds(40),
                                       retire: { stamps in retired.stamps.withLock { $0 += stamps } })
        queue.enqueue([.init(notice: Self.notice(route: "up", .firing), stamp: Self.stamp("up", 1)),
                       .init(notice: Self.notice(route: "down", .firing), stamp: Self.stamp("down", 2))])
        #expect(await Eventually.holds { receiver.received.contains("up firing") })
        // Replaced by a notice kept in memory only: its row is stale, and goes too.
        queue.enqueue([.init(notice: Self.notice(route: "down", .resolved), stamp: nil)])
        #expect(await Eventually.holds { retired.stamps.withLock { $0.count } >= 2 })
        #expect(Set(retired.stamps.withLock { $0 }) == [Self.stamp("up", 1), Self.stamp("down", 2)])

        // Abandoned (a shutdown, a new leader): what waits stays in the outbox, and the task ends
        // without waiting out its backoff.
        queue.enqueue([.init(notice: Self.notice(route: "down", .firing), stamp: Self.stamp("down", 3))])
        #expect(queue.abandon() == 1)
        #expect(await work.drained(timeout: .seconds(60)))
        #expect(!retired.stamps.withLock { $0 }.contains(Self.stamp("down", 3)))
    }

    /// A webhook receiver that answers 429 with `Retry-After: retryAfter` to its first post, or
    /// to every post about `refusing`, and takes the others; records when each post came.
    final class BusyReceiver: Sendable {
        final class Log: Sendable {
            let posts = Mutex<[(route: String, at: ContinuousClock.Instant)]>([])
        }

        let server: HTTPServer
        let port: UInt16
        private let log = Log()

        init(retryAfter: String, refusing: String? = nil) throws {
            let log = self.log
            server = HTTPServer { request in
                let route = (try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])?["route"] as? String ?? ""
                let first = log.posts.withLock { posts -> Bool in
                    posts.append((route, .now))
                    return posts.count == 1
                }
                guard refusing.map({ $0 == route }) ?? first else { return .json(Array("{}".utf8)) }
                var busy = HTTPResponse.error(HTTPStatus(429), "slow down")
                busy.headers.set("Retry-After", retryAfter)
                return busy
            }
            port = try server.listen(host: "127.0.0.1", port: 0)
        }

        deinit { server.close() }

        var received: [(route: String, at: ContinuousClock.Instant)] { log.posts.withLock { $0 } }
    }

    @Test func aReceiverThatAsksToWaitGetsNothingMoreUntilItsRetryAfter() async throws {
        let receiver = try BusyReceiver(retryAfter: "1")
        let work = InFlightWork()
        let queue = Self.queue(to: receiver.port, work: work)
        queue.enqueue([Self.notice(route: "a", .firing), Self.notice(route: "b", .firing), Self.notice(route: "c", .firing)])
        #expect(await Eventually.holds { receiver.received.count == 4 })
        #expect(await work.drained(timeout: .seconds(60)))
        let posts = receiver.received
        // The first post was refused and the round stopped there: b and c waited, and went
        // before a the next time.
        #expect(posts.map(\.route) == ["a", "b", "c", "a"])
        // Not before the second it asked for, although the queue's own backoff is 5 ms.
        #expect(posts[0].at.duration(to: posts[1].at) >= .milliseconds(990))
    }

    @Test func aRetryAfterLongerThanAPageMayWaitIsCut() async throws {
        let receiver = try BusyReceiver(retryAfter: "86400")
        let work = InFlightWork()
        let notifier = Self.queue(to: receiver.port, work: work).notifier
        let queue = AlertDeliveryQueue(notifier: notifier, firstBackoff: .milliseconds(5), maximumBackoff: .milliseconds(40),
                                       longestRetryAfter: .milliseconds(200))
        queue.enqueue([Self.notice(route: "a", .firing)])
        #expect(await Eventually.holds { receiver.received.count == 2 })
        #expect(await work.drained(timeout: .seconds(60)))
        #expect(queue.waiting.isEmpty)
        let posts = receiver.received
        #expect(posts[0].at.duration(to: posts[1].at) >= .milliseconds(190))
    }

    @Test func aNoticeItsReceiverKeepsRefusingHoldsNoOtherBack() async throws {
        let receiver = try BusyReceiver(retryAfter: "0", refusing: "a")
        let work = InFlightWork()
        let queue = Self.queue(to: receiver.port, work: work)
        queue.enqueue([Self.notice(route: "a", .firing), Self.notice(route: "b", .firing)])
        #expect(await Eventually.holds { receiver.received.contains { $0.route == "b" } })
        queue.enqueue([Self.notice(route: "c", .firing)])
        #expect(await Eventually.holds { receiver.received.contains { $0.route == "c" } })
        #expect(await Eventually.holds { queue.waiting.map(\.finding.key.route) == ["a"] })
        queue.abandon()
        #expect(await work.drained(timeout: .seconds(60)))
    }
}

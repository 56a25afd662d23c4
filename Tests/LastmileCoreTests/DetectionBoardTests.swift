import Foundation
import LastmileCore
import LastmileTestSupport
import Testing

extension DetectionSimulationSuites {
    /// Blame across the matrix: three routes to two phones on two carriers, on simulated time.
    @Suite struct DetectionBoardTests {
        static let routes = ["alpha", "beta", "gamma"]
        static let receivers = ["phone-a": "Carrier A", "phone-b": "Carrier B"]
        static let slo = SLODefinition(name: "accepted-delivery", indicator: .acceptedDelivery, objective: 0.99, window: 86_400)

        /// Runs the matrix for `minutes` with a canary per route × receiver every minute; from
        /// minute 60 `broken` says which canaries are lost. Returns the alert names and their
        /// subjects (route or receiver) fired from minute 60 on.
        func fired(broken: (String, String) -> Bool, minutes: Int = 120, probed: (String, String) -> Bool = { _, _ in true },
                   refused: (String, String) -> Bool = { _, _ in false }, period: (String, String) -> Int = { _, _ in 1 }) -> [String] {
            run(broken: broken, minutes: minutes, probed: probed, refused: refused, period: period).fired
        }

        /// As `fired`, also returning the alerts resolved; from minute `removing.minute` on, the
        /// configuration no longer probes `removing.route` (canaries of it in flight still settle).
        /// `broken` holds until minute `brokenUntil` (if given), `brokenAfter` from then on. Only the
        /// route × receiver cells `probed` names are probed, each every `period` minutes (from minute
        /// `period / 2`, so a longer period's canaries fall between the hours), and the API
        /// refuses what `refused` names.
        func run(broken: (String, String) -> Bool, minutes: Int = 120, brokenUntil: Int? = nil,
                 brokenAfter: (String, String) -> Bool = { _, _ in false }, probed: (String, String) -> Bool = { _, _ in true },
                 refused: (String, String) -> Bool = { _, _ in false }, period: (String, String) -> Int = { _, _ in 1 },
                 removing: (route: String, minute: Int)? = nil) -> (fired: [String], resolved: [String]) {
            var board = DetectionBoard()
            var resolved: [String] = []
            var rates: [DetectionBoard.Cell: Double] = [:]
            for route in Self.routes {
                for receiver in Self.receivers.keys where probed(route, receiver) { 
                    rates[DetectionBoard.Cell(route: route, receiver: receiver)] = 60 / Double(period(route, receiver))
                }
            }
            board.configure(rates: rates, carriers: Self.receivers)
            var book = AlertBook(repeatInterval: 86_400)
            var fired: [String] = []
            var pending: [(Date, Canary)] = []
            var serial = 0
            for second in stride(from: 0, to: minutes * 60, by: 5) {
                let now = Date(timeIntervalSince1970: 1_000_000 + Double(second))
                let removed = removing.flatMap { second >= $0.minute * 60 ? $0.route : nil }
                if let removed, second == removing!.minute * 60 {
                    board.configure(rates: rates.filter { $0.key.route != removed }, carriers: Self.receivers)
                }
                if second % 60 == 0 {
                    for route in Self.routes where route != removed {
                        for (receiver, carrier) in Self.receivers.sorted(by: { $0.key < $1.key }) where probed(route, receiver) && (second / 60) % period(route, receiver) == period(route, receiver) / 2 {
                            serial += 1
                            let plan = CanaryPlan(id: "c\(serial)", token: Token(payload: UInt64(serial)), route: route, carrier: carrier, probe: route,
                                                  receiver: receiver, to: "+1555", from: "+1666", body: "x", threshold: 30, deadline: 900)
                            var canary = Canary(plan: plan, submitStartedAt: now)
                            canary.submit = SubmitAnswer(outcome: refused(route, receiver) ? .rejected : .accepted)
                            board.observe(canary, at: now)
                            let lost = second >= 3_600
                                && (second < (brokenUntil ?? minutes) * 60 ? broken(route, receiver) : brokenAfter(route, receiver))
                            if refused(route, receiver) {
                                canary.verdict = .rejected
                                canary.settledAt = now.addingTimeInterval(1)
                                pending.append((now.addingTimeInterval(1), canary))
                            } else if lost {
                                canary.verdict = .lost
                                canary.settledAt = now.addingTimeInterval(900)
                                pending.append((now.addingTimeInterval(900), canary))
                            } else {
                                canary.arrival = ArrivalRecord(ingestedAt: now.addingTimeInterval(4), reportedAt: nil, latency: 4, from: "+1666", body: "x")
                                canary.verdict = .delivered
                                canary.settledAt = now.addingTimeInterval(4)
                                pending.append((now.addingTimeInterval(4), canary))
                            }
                        }
                    }
                }
                pending.sort { $0.0 < $1.0 }
                while let first = pending.first, first.0 <= now {
                    pending.removeFirst()
                    board.observe(first.1, at: now)
                }
                let firing = Set(book.firing.keys)
                let findings = board.evaluate(at: now).findings(slo: Self.slo, firing: firing, at: now)
                let update = book.update(with: findings, at: now)
                if second >= 3_600 {
                    fired += update.fired.map { "\($0.finding.name.rawValue) \($0.finding.receiver.isEmpty ? $0.finding.key.route : $0.finding.receiver)" }
                    resolved += update.resolved.map { "\($0.finding.name.rawValue) \($0.finding.receiver.isEmpty ? $0.finding.key.route : $0.finding.receiver)" }
                }
            }
            return (fired, resolved)
        }

        @Test func aReportForASettledCanaryDoesNotCountItAgain() {
            var board = DetectionBoard()
            board.configure(rates: [DetectionBoard.Cell(route: "alpha", receiver: "phone-a"): 60], carriers: Self.receivers)
            let sent = Date(timeIntervalSince1970: 1_000_000)
            func canary(_ serial: Int) -> Canary {
                let plan = CanaryPlan(id: "c\(serial)", token: Token(payload: UInt64(serial)), route: "alpha", carrier: "Carrier A", probe: "alpha",
                                      receiver: "phone-a", to: "+1555", from: "+1666", body: "x", threshold: 30, deadline: 900)
                var canary = Canary(plan: plan, submitStartedAt: sent)
                canary.submit = SubmitAnswer(outcome: .accepted)
                return canary
            }
            var delivered = canary(1), lost = canary(2)
            board.observe(delivered, at: sent)
            board.observe(lost, at: sent)
            delivered.arrival = ArrivalRecord(ingestedAt: sent.addingTimeInterval(4), reportedAt: nil, latency: 4, from: "+1666", body: "x")
            delivered.verdict = .delivered
            delivered.settledAt = sent.addingTimeInterval(4)
            lost.verdict = .lost
            lost.settledAt = sent.addingTimeInterval(900)
            let settled = sent.addingTimeInterval(900)
            board.observe(delivered, at: settled)
            board.observe(lost, at: settled)
            // Receipts after the verdict, duplicates among them: each hands the engine's board the settled canary again.
            for minute in 1...5 {
                board.observe(delivered, at: settled.addingTimeInterval(Double(minute) * 60))
                board.observe(lost, at: settled.addingTimeInterval(Double(minute) * 60))
            }
            let reading = board.evaluate(at: settled.addingTimeInterval(600)).pairs[DetectionBoard.Pair(route: "alpha", carrier: "Carrier A")]
            #expect(reading?.totalEvents == 2)
            #expect(reading?.badEvents == 1)
        }

        @Test func aRouteTakenOutOfTheConfigurationResolvesItsPages() async {
            let (fired, resolved) = await offThePool { Self().run(broken: { route, _ in route == "beta" }, removing: ("beta", 100)) }
            #expect(fired.sorted() == ["AcceptedButUndelivered beta", "AcceptedButUndelivered beta"])
            #expect(resolved.sorted() == ["AcceptedButUndelivered beta", "AcceptedButUndelivered beta"])
        }

        @Test func aSilentReceiverRaisesOneReceiverSilentAndNoRoutePage() async {
            let fired = await offThePool { Self().fired { _, receiver in receiver == "phone-a" } }
            #expect(fired == ["ReceiverSilent phone-a"])
        }

        @Test func aReceiverHeardAgainResolvesItsAlertOnceAndReleasesNoRoutePage() async {
            // Silent for an hour, then every route reaches it again: its route pages fall back while
            // still firing, and must neither page nor make the receiver look silent once more.
            let (fired, resolved) = await offThePool {
                Self().run(broken: { _, receiver in receiver == "phone-a" }, minutes: 300, brokenUntil: 120)
            }
            #expect(fired == ["ReceiverSilent phone-a"])
            #expect(resolved == ["ReceiverSilent phone-a"])
        }

        @Test func aRouteThatStaysBrokenAfterItsReceiverIsHeardAgainPages() async {
            // The phone comes back, but beta's canaries to it are still lost: past the grace, beta pages.
            let (fired, _) = await offThePool {
                Self().run(broken: { _, receiver in receiver == "phone-a" }, minutes: 300, brokenUntil: 120,
                           brokenAfter: { route, receiver in route == "beta" && receiver == "phone-a" })
            }
            #expect(fired.first == "ReceiverSilent phone-a")
            #expect(fired.contains("AcceptedButUndelivered beta"), "\(fired)")
            #expect(!fired.contains("AcceptedButUndelivered alpha") && !fired.contains("AcceptedButUndelivered gamma"), "\(fired)")
        }

        @Test func aRouteTheAPIRefusesDoesNotKeepAnotherRoutesPageWaiting() async {
            // alpha loses what it sends to phone-a; beta's API refuses every canary to phone-a. Refused
            // canaries never tell whether the phone hears, so alpha's page must not wait on them.
            let fired = await offThePool {
                Self().fired(broken: { _, receiver in receiver == "phone-a" },
                             probed: { route, receiver in route == "alpha" || (route == "beta" && receiver == "phone-a") },
                             refused: { route, _ in route == "beta" })
            }
            #expect(fired.contains("AcceptedButUndelivered alpha"), "\(fired)")
        }

        @Test func twoRoutesFailingToAReceiverAThirdStillReachesPageAsRoutes() async {
            // alpha and beta lose what they send to phone-a; gamma, probing it every 20 minutes, still
            // reaches it. Gamma's next canary says the phone hears: the routes page, not the receiver.
            let fired = await offThePool {
                Self().fired(broken: { route, receiver in receiver == "phone-a" && route != "gamma" },
                             period: { route, receiver in route == "gamma" && receiver == "phone-a" ? 20 : 1 })
            }
            #expect(!fired.contains("ReceiverSilent phone-a"), "\(fired)")
            #expect(fired.contains("AcceptedButUndelivered alpha") && fired.contains("AcceptedButUndelivered beta"), "\(fired)")
        }

        @Test func aSilentReceiverProbedRarelyByOneRouteIsStillBlamedOnce() async {
            // Every route loses what it sends to phone-a, gamma probing it every 20 minutes: blame waits
            // for gamma's canary at most, then names the receiver, and no route pages.
            let fired = await offThePool {
                Self().fired(broken: { _, receiver in receiver == "phone-a" },
                             period: { route, receiver in route == "gamma" && receiver == "phone-a" ? 20 : 1 })
            }
            #expect(fired == ["ReceiverSilent phone-a"])
        }

        @Test func aDeadRouteRaisesItsRoutePagesAndNoReceiverSilent() async {
            let fired = await offThePool { Self().fired { route, _ in route == "beta" } }
            #expect(fired.sorted() == ["AcceptedButUndelivered beta", "AcceptedButUndelivered beta"])
        }

        @Test func aHealthyMatrixDoesNotPage() async {
            let fired = await offThePool { Self().fired { _, _ in false } }
            #expect(fired.isEmpty)
        }
    }
}

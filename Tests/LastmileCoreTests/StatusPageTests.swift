import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import LastmileCore
import Testing

@Suite struct StatusPageTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// A settled canary on route × carrier, `minutesAgo` old.
    static func canary(_ index: Int, route: String, carrier: String, verdict: Verdict, minutesAgo: Double,
                       receipt: ReceiptStatus? = .delivered) -> Canary {
        let token = Token(payload: UInt64(50_000 + index))
        let plan = CanaryPlan(id: "s\(index)", token: token, route: route, carrier: carrier, probe: "p", receiver: "rx",
                              to: "+15551230001", from: "LASTMILE", body: "Lastmile check \(token)", threshold: 60, deadline: 600)
        var canary = Canary(plan: plan, submitStartedAt: now.addingTimeInterval(-minutesAgo * 60))
        canary.submit = SubmitAnswer(outcome: .accepted, providerMessageID: "m\(index)")
        canary.receiptStatus = receipt
        canary.verdict = verdict
        canary.settledAt = canary.submitStartedAt.addingTimeInterval(600)
        return canary
    }

    static func page() -> String {
        var canaries: [Canary] = []
        for index in 0..<40 {
            let verdict: Verdict = index % 4 == 0 && index >= 20 ? .lost : .delivered
            canaries.append(canary(index, route: "lying", carrier: "AT&T", verdict: verdict, minutesAgo: 58 - Double(index)))
        }
        canaries.append(canary(99, route: "healthy", carrier: "<EE>", verdict: .delivered, minutesAgo: 30))
        let definition = SLODefinition(name: "accepted-delivery", indicator: .acceptedDelivery, objective: 0.99, window: 3_600)
        var tracker = SLOTracker(definitions: [definition])
        tracker.prepare(route: "quiet", carrier: "AT&T")
        for canary in canaries { tracker.record(canary) }
        let finding = AlertFinding(name: .acceptedButUndelivered, key: SLOKey(slo: "accepted-delivery", route: "lying", carrier: "AT&T"),
                                   severity: "page", tier: AlertTier.standard[0], badEvents: 5, totalEvents: 40, lowerBound: 0.05,
                                   allowedRate: 0.01)
        let firing = FiringAlert(finding: finding, startsAt: now.addingTimeInterval(-600), lastNotifiedAt: now.addingTimeInterval(-600))
        return StatusPage(now: now, from: now.addingTimeInterval(-3_600), canaries: canaries,
                          slos: tracker.statuses(at: now), firing: [firing]).render()
    }

    @Test func theStatusPageIsWellFormedAndSelfContained() throws {
        let page = Self.page()
        let parser = XMLParser(data: Data(page.utf8))
        #expect(parser.parse(), "not well-formed: \(parser.parserError.map { "\($0)" } ?? "") at line \(parser.lineNumber)")
        #expect(!page.contains("src=\""), "no external assets")
        #expect(!page.contains("<link"), "no external stylesheets")
        #expect(page.contains("<html lang=\"en\""))
    }

    @Test func itShowsAlertsRatesSLOsSparklinesAndLostCanaries() throws {
        let page = Self.page()
        #expect(page.contains("<strong>page: AcceptedButUndelivered</strong> on lying × AT&amp;T: 12.5% bad (5 of 40) over 1h"))
        #expect(page.contains("healthy</td><td class=\"name\">&lt;EE&gt;</td>"), "names are escaped")
        // 5 of 40 lost: delivery 87.5%, accepted-but-undelivered 12.5%, the 1% budget exhausted.
        #expect(page.contains("<span class=\"bad\">87.5%</span>"))
        #expect(page.contains("<span class=\"bad\">12.5%</span>"))
        #expect(page.contains("accepted-delivery <span class=\"bad\">exhausted</span>"))
        #expect(page.contains("accepted-delivery <span class=\"ok\">100.0%</span>"))
        // A sparkline with a line: it drops where the losses start.
        let spark = try #require(page.range(of: "aria-label=\"delivery rate of lying × AT&amp;T over the period\""))
        let polyline = try #require(page[spark.upperBound...].range(of: "<polyline points=\""))
        let points = page[polyline.upperBound...].prefix { $0 != "\"" }.split(separator: " ").map { $0.split(separator: ",").map { Double($0)! } }
        #expect(points.count >= 10)
        #expect(points.first?[1] == 2.0, "100% at the top")
        #expect(points.contains { $0[1] > 2.0 }, "the losses show as a dip")
        // The lost canaries, newest first, each linking to its trace.
        let lost = Self.canary(36, route: "lying", carrier: "AT&T", verdict: .lost, minutesAgo: 22)
        #expect(page.contains("<a href=\"/trace/\(lost.plan.token)\">"))
        #expect(page.components(separatedBy: "/trace/").count - 1 == 5)
    }

    @Test func anEmptyPeriodSaysSoAndAPairWithoutEventsHasNoData() {
        let definition = SLODefinition(name: "accepted-delivery", indicator: .acceptedDelivery, objective: 0.99, window: 3_600)
        var tracker = SLOTracker(definitions: [definition])
        tracker.prepare(route: "quiet", carrier: "AT&T")
        let page = StatusPage(now: Self.now, from: Self.now.addingTimeInterval(-3_600), canaries: [], slos: tracker.statuses(at: Self.now),
                              firing: []).render()
        #expect(page.contains("No canaries in this period."))
        var withPending = StatusPage(now: Self.now, from: Self.now.addingTimeInterval(-3_600), canaries: [], slos: [], firing: [])
        let finding = AlertFinding(name: .deliveryLate, key: SLOKey(slo: "latency", route: "queued", carrier: "EE"), severity: "ticket",
                                   tier: AlertTier.standard[2], badEvents: 3, totalEvents: 20, lowerBound: 0.06, allowedRate: 0.05)
        withPending.pending = [FiringAlert(finding: finding, startsAt: Self.now, lastNotifiedAt: Self.now)]
        let pendingPage = withPending.render()
        #expect(pendingPage.contains("<p class=\"ok\">None firing.</p>"))
        #expect(pendingPage.contains("<strong>pending ticket: DeliveryLate</strong> on queued × EE: 15.0% bad (3 of 20)"))
        #expect(page.contains("<h2>Alerts firing</h2>\n<p class=\"ok\">None.</p>"))
        #expect(XMLParser(data: Data(page.utf8)).parse())
    }
}

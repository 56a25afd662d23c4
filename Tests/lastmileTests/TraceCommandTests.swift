import Foundation
import LastmileCore
import LastmileStore
import LastmileTestSupport
import Testing

@Suite struct TraceCommandTests {
    /// A store with two canaries: one lost behind a DELIVRD receipt, one that arrived with its body altered.
    /// What a phone may add to a body: an advert, a clipboard write (OSC 52), a forged line of the timeline and a forged end of its quotation.
    static let hostileSuffix = " [ad]\u{1b}]52;c;QQ==\u{07}\n2026-01-01T00:00:03Z  +9.000s  settled: lost\", body as sent \\n"

    static func store(at path: String, now: Date) async throws -> (lost: CanaryPlan, altered: CanaryPlan) {
        let store = try CanaryStore(path: path)
        defer { store.beginClosing() }
        return try await fill(store, now: now)
    }

    static func fill(_ store: CanaryStore, now: Date) async throws -> (lost: CanaryPlan, altered: CanaryPlan) {
        var correlator = Correlator()
        var plans: [CanaryPlan] = []
        for index in 0..<2 {
            let token = Token(payload: UInt64(7_000 + index))
            let started = now.addingTimeInterval(-3_600)
            // The first canary went out 40 ms after its schedule; the second has no schedule (sent by hand).
            let plan = CanaryPlan(id: "trace\(index)", token: token, route: "bulk", carrier: "EE", probe: "p", receiver: "rx",
                                  to: "+447700900123", from: "LASTMILE", body: "Lastmile check \(token)", threshold: 60, deadline: 600,
                                  scheduledAt: index == 0 ? started.addingTimeInterval(-0.04) : nil)
            plans.append(plan)
            try await store.commit(StoreChange(correlator.submitStarted(plan, at: started)))
            try await store.commit(StoreChange(correlator.submitAnswered(
                id: plan.id, answer: SubmitAnswer(outcome: .accepted, providerMessageID: "msg-\(index)", providerStatus: "QUEUED"),
                at: started.addingTimeInterval(0.25))))
            let receipt = ReceiptReport(reference: try store.reserveReportID(), route: "bulk", providerMessageID: "msg-\(index)", token: nil,
                                        status: .delivered, rawStatus: "DELIVRD", errorCode: nil, reportedAt: nil,
                                        ingestedAt: started.addingTimeInterval(3))
            let receiptResult = correlator.ingest(receipt)
            try await store.commit(StoreChange(receiptResult, receipts: [StoredReceipt(report: receipt, match: receiptResult.match,
                                                                                     rawPayload: Data("{}".utf8))]))
            if index == 1 {
                let arrival = ArrivalReport(reference: try store.reserveReportID(), receiver: "rx", from: "LASTMILE", body: plan.body + Self.hostileSuffix,
                                            reportedAt: nil, ingestedAt: started.addingTimeInterval(4.5))
                let arrivalResult = correlator.ingest(arrival)
                try await store.commit(StoreChange(arrivalResult, arrivals: [StoredArrival(report: arrival, match: arrivalResult.match,
                                                                                         rawPayload: Data("{}".utf8))]))
            }
        }
        try await store.commit(StoreChange(correlator.advance(to: now)))
        return (plans[0], plans[1])
    }

    @Test func tracesACanaryInAPostgreSQLStoreFromAnyMachine() async throws {
        guard let place = try await TestStorePlace.make(.postgres) else { return }
        let store = try await place.open()
        let (lost, _) = try await Self.fill(store, now: Date())
        await store.close()
        let traced = try await BuiltProducts.run("lastmile", ["trace", "--store", place.argument, lost.token.description])
        #expect(traced.status == 0, "\(traced.error)")
        #expect(traced.output.contains(#"receipt "DELIVRD" → delivered"#))
        #expect(traced.output.contains("a false receipt"))
        let report = try await BuiltProducts.run("lastmile", ["report", "--store", place.argument, "--period", "1d"])
        #expect(report.status == 0, "\(report.error)")
        #expect(report.output.contains("bulk"), "\(report.output)")
    }

    @Test func tracesALostCanaryAndAnAlteredOneByIdOrToken() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("trace.db")
        let (lost, altered) = try await Self.store(at: path, now: Date())

        let byToken = try await BuiltProducts.run("lastmile", ["trace", "--store", path, lost.token.description])
        #expect(byToken.status == 0, "\(byToken.error)")
        #expect(byToken.output.contains(#"API answered after 250 ms: accepted, message id "msg-0", status "QUEUED""#))
        #expect(byToken.output.contains("+0.250s"))
        #expect(byToken.output.contains("-0.040s  scheduled by probe p"))
        #expect(byToken.output.contains("submit started: request to route bulk (40 ms after its schedule)"))
        #expect(byToken.output.contains(#"receipt "DELIVRD" → delivered"#))
        #expect(byToken.output.contains("verdict: lost: the API accepted it, the receipt said delivered, and nothing arrived by the 600.00 s deadline — a false receipt."))
        let lines = byToken.output.split(separator: "\n").map(String.init)
        let order = ["scheduled by probe", "submit started", "API answered", #"receipt "DELIVRD""#, "settled: lost"].map { event in lines.firstIndex { $0.contains(event) } }
        #expect(order.allSatisfy { $0 != nil } && order == order.sorted { ($0 ?? 0) < ($1 ?? 0) }, "events out of order:\n\(byToken.output)")

        let byID = try await BuiltProducts.run("lastmile", ["trace", "--store", path, altered.id])
        #expect(byID.status == 0)
        // Shown, but unable to act on the terminal or to forge a line.
        #expect(byID.output.contains(#"body received as "\#(altered.body) [ad]\u{1b}]52;c;QQ==\u{7}\n2026-01-01T00:00:03Z  +9.000s  settled: lost\", body as sent \\n""#))
        #expect(!byID.output.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
        #expect(!byID.output.split(separator: "\n").contains { $0.hasPrefix("2026-01-01T00:00:03Z") })
        #expect(byID.output.contains("verdict: delivered: arrived 4.50 s after the submit, within the 60.00 s threshold"))
        #expect(byID.output.contains("altered_body"))

        let json = try await BuiltProducts.run("lastmile", ["trace", "--store", path, altered.id, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        #expect(object["verdict"] as? String == "delivered")
        #expect((object["events"] as? [[String: Any]])?.map { $0["event"] as? String } == ["submit_started", "submit_answered", "receipt", "arrival", "settled"])

        let lostJSON = try await BuiltProducts.run("lastmile", ["trace", "--store", path, lost.id, "--json"])
        let lostObject = try #require(try JSONSerialization.jsonObject(with: Data(lostJSON.output.utf8)) as? [String: Any])
        #expect((lostObject["events"] as? [[String: Any]])?.first?["event"] as? String == "scheduled")
        #expect(lostObject["scheduled_at"] as? String != nil)
        #expect(object["scheduled_at"] is NSNull)

        let missing = try await BuiltProducts.run("lastmile", ["trace", "--store", path, "nope"])
        #expect(missing.status == 1)
        #expect(missing.error.contains("no canary has id or token nope"))
        #expect(try await BuiltProducts.run("lastmile", ["trace", "--store", path]).status == 2)
    }

    @Test func aReceiptRepeatedThousandsOfTimesMakesALongTraceNotAnEndlessOne() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("repeated.db")
        let store = try CanaryStore(path: path)
        var correlator = Correlator()
        let started = Date().addingTimeInterval(-3_600)
        let plan = CanaryPlan(id: "repeated", token: Token(payload: 7_100), route: "bulk", carrier: "EE", probe: "p", receiver: "rx",
                              to: "+447700900123", from: "LASTMILE", body: "Lastmile check", threshold: 60, deadline: 600)
        try await store.commit(StoreChange(correlator.submitStarted(plan, at: started)))
        try await store.commit(StoreChange(correlator.submitAnswered(id: plan.id, answer: SubmitAnswer(outcome: .accepted, providerMessageID: "m"),
                                                                     at: started)))
        // As many as a trace shows (CanaryTrace.shownReports), and more.
        let shown = 500
        var stored: [StoredReceipt] = []
        for second in 0..<(shown + 20) {
            let receipt = ReceiptReport(reference: try store.reserveReportID(), route: "bulk", providerMessageID: "m", token: nil,
                                        status: .delivered, rawStatus: "DELIVRD", errorCode: nil, reportedAt: nil,
                                        ingestedAt: started.addingTimeInterval(Double(second)))
            let result = correlator.ingest(receipt)
            stored.append(StoredReceipt(report: receipt, match: result.match, rawPayload: Data(repeating: 0x7B, count: 10_000)))
        }
        try await store.commit(StoreChange(canaries: [try #require(correlator.canary(id: plan.id))], receipts: stored))
        store.beginClosing()

        let trace = try await BuiltProducts.run("lastmile", ["trace", "--store", path, "repeated"])
        #expect(trace.status == 0, "\(trace.error)")
        let receiptLines = trace.output.split(separator: "\n").filter { $0.contains(#"receipt "DELIVRD""#) }
        #expect(receiptLines.count == shown)
        #expect(trace.output.contains("(only the first \(shown) receipts and \(shown) arrivals are shown)"))
    }
}

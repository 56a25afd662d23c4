import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import LastmileCore
import LastmileStore
import LastmileTestSupport
@testable import lastmile
import Testing

@Suite struct ReportCommandTests {
    /// Ten canaries on bulk × EE an hour ago: seven arrived, three lost; and two reports that
    /// joined none (an arrival without a token, a receipt for a message id no canary has).
    static func makeStore(at path: String) async throws {
        let store = try CanaryStore(path: path)
        var correlator = Correlator()
        let now = Date()
        for index in 0..<10 {
            let token = Token(payload: UInt64(1_000 + index))
            let plan = CanaryPlan(id: "c\(index)", token: token, route: "bulk", carrier: "EE", probe: "p", receiver: "rx",
                                  to: "+447700900123", from: "LASTMILE", body: "Lastmile check \(token)", threshold: 60, deadline: 600)
            let started = now.addingTimeInterval(-3_600 + Double(index))
            try await store.commit(StoreChange(correlator.submitStarted(plan, at: started)))
            try await store.commit(StoreChange(correlator.submitAnswered(
                id: plan.id, answer: SubmitAnswer(outcome: .accepted, providerMessageID: "m\(index)"), at: started)))
            if index < 7 {
                try await store.commit(StoreChange(correlator.ingest(ArrivalReport(
                    receiver: "rx", from: "LASTMILE", body: plan.body, ingestedAt: started.addingTimeInterval(5)))))
            }
        }
        try await store.commit(StoreChange(correlator.advance(to: now)))
        let stray = ArrivalReport(reference: try store.reserveReportID(), receiver: "rx", from: "+15550100", body: "Your code is 1234",
                                  ingestedAt: now.addingTimeInterval(-1_800))
        let strayResult = correlator.ingest(stray)
        try await store.commit(StoreChange(strayResult, arrivals: [StoredArrival(report: stray, match: strayResult.match,
                                                                                 rawPayload: Data("{}".utf8))]))
        let receipt = ReceiptReport(reference: try store.reserveReportID(), route: "bulk", providerMessageID: "someone-else", token: nil,
                                    status: .delivered, rawStatus: "DELIVRD", errorCode: nil, reportedAt: nil,
                                    ingestedAt: now.addingTimeInterval(-1_700))
        let receiptResult = correlator.ingest(receipt)
        try await store.commit(StoreChange(receiptResult, receipts: [StoredReceipt(report: receipt, match: receiptResult.match,
                                                                                   rawPayload: Data("{}".utf8))]))
        await store.close()
    }

    @Test func reportsAPeriodFromTheStoreInEveryFormat() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("report.db")
        try await Self.makeStore(at: path)

        let text = try await BuiltProducts.run("lastmile", ["report", "--store", path, "--period", "1d"])
        #expect(text.status == 0, "\(text.error)")
        #expect(text.output.contains("bulk   EE         10        10"))
        #expect(text.output.contains("30.0% of accepted canaries never arrived"))
        #expect(text.output.contains("Unmatched reports: 2 joined no canary (all kept in the store):"))
        #expect(text.output.contains("receipt  bulk  a message id no canary has  1"))
        #expect(text.output.contains("arrival  rx    no token in the body        1"))
        let json = try await BuiltProducts.run("lastmile", ["report", "--store", path, "--period", "1d", "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["title", "from", "to", "routes", "slos", "unmatched"])
        let unmatched = try #require(object["unmatched"] as? [[String: Any]])
        #expect(unmatched.map { "\($0["kind"] ?? "")/\($0["source"] ?? "")/\($0["reason"] ?? "")/\($0["count"] ?? "")" }
                == ["receipt/bulk/unknown_message_id/1", "arrival/rx/no_token/1"])
        let route = try #require((object["routes"] as? [[String: Any]])?.first)
        #expect((route["verdicts"] as? [String: Int])?["delivered"] == 7)
        #expect((route["verdicts"] as? [String: Int])?["lost"] == 3)
        // The JSON schema is stable: these keys, no more, no fewer.
        #expect(Set(route.keys) == ["route", "carrier", "sent", "api", "receipts", "verdicts", "in_flight", "lost_by_receipt", "altered",
                                    "duplicates", "arrivals_after_settlement", "delivery_rate", "accepted_undelivered_rate",
                                    "false_receipt_rate", "delivery_rate_95", "accepted_undelivered_rate_95", "latency_seconds"])
        #expect(Set((route["latency_seconds"] as? [String: Any] ?? [:]).keys) == ["p50", "p90", "p95", "p99", "max"])
        let interval = try #require(route["accepted_undelivered_rate_95"] as? [Double])
        #expect(interval.count == 2 && interval[0] < 0.3 && interval[1] > 0.3, "3 of 10 lost: the interval holds 30%")
        for format in ["markdown", "csv", "html"] {
            let run = try await BuiltProducts.run("lastmile", ["report", "--store", path, "--format", format])
            #expect(run.status == 0)
            #expect(run.output.contains("bulk"))
        }
        // CSV: a header and one row per pair, every row as wide as the header.
        let csv = try await BuiltProducts.run("lastmile", ["report", "--store", path, "--period", "1d", "--format", "csv"])
        let rows = csv.output.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(rows.count == 2)
        #expect(rows.allSatisfy { $0.count == rows[0].count })
        #expect(rows[0].contains("accepted_undelivered_95%_CI") && rows[1].contains("30.0%"))
        // HTML: well-formed, self-contained, with the charts.
        let html = try await BuiltProducts.run("lastmile", ["report", "--store", path, "--period", "1d", "--format", "html"])
        let parser = XMLParser(data: Data(html.output.utf8))
        #expect(parser.parse(), "HTML not well-formed: \(parser.parserError.map { "\($0)" } ?? "") line \(parser.lineNumber)")
        #expect(html.output.contains("aria-label=\"latency distribution of bulk × EE\""))
        #expect(html.output.contains("aria-label=\"daily delivery rate per route and carrier\""))
        #expect(html.output.contains("<title>7</title>"), "seven arrivals in the 5–10 s bar")
        #expect(!html.output.contains("src=\""))
        #expect(html.output.contains("<h2>Unmatched reports</h2>\n<p>2 reports joined no canary"))
        // One route's report has that route's unmatched receipts only: an unmatched arrival names no route.
        let routeOnly = try await BuiltProducts.run("lastmile", ["report", "--store", path, "--period", "1d", "--route", "bulk", "--format", "json"])
        let routeObject = try #require(try JSONSerialization.jsonObject(with: Data(routeOnly.output.utf8)) as? [String: Any])
        #expect((routeObject["unmatched"] as? [[String: Any]])?.map { $0["kind"] as? String } == ["receipt"])
        // A period before the canaries: an empty report, not an error.
        let empty = try await BuiltProducts.run("lastmile", ["report", "--store", path, "--to", "2020-01-01T00:00:00Z", "--period", "1d"])
        #expect(empty.status == 0)
        #expect(empty.output.contains("no canaries in this period"))
        #expect(try await BuiltProducts.run("lastmile", ["report", "--store", path, "--format", "pdf"]).status == 2)
        #expect(try await BuiltProducts.run("lastmile", ["report", "--store", directory.path("missing.db")]).status == 1)
    }

    @Test func failOnBreachExitsThreeWhenAnSLOWasBreachedAndTheReportSaysSo() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("report.db")
        try await Self.makeStore(at: path)
        let slos = try String(contentsOf: BuiltProducts.projectRoot.appendingPathComponent("alerts/slos.toml"), encoding: .utf8)
        let strict = try directory.write("strict.toml", "[store]\npath = \"\(path)\"\n\n" + slos)
        let lenient = try directory.write("lenient.toml", "[store]\npath = \"\(path)\"\n\n"
            + String(slos[..<slos.range(of: "# Accepted by the API")!.lowerBound])
            + "[[slo]]\nname = \"lenient\"\nindicator = \"accepted_delivery\"\nobjective = 0.5\nwindow = \"1d\"\n")

        let breached = try await BuiltProducts.run("lastmile", ["report", "--config", strict, "--period", "1d", "--fail-on-breach"])
        #expect(breached.status == 3, "\(breached.error)")
        #expect(breached.error.contains("SLO breached: accepted-delivery on bulk × EE: 70.00% against an objective of 99.00% (7 good of 10)"))
        #expect(breached.output.contains("SLO compliance over the period:"))
        #expect(breached.output.contains("accepted-delivery  bulk  EE  70.00%  99.00%"))
        // CSV carries each SLO's record as columns of the pair's row.
        let csv = try await BuiltProducts.run("lastmile", ["report", "--config", strict, "--period", "1d", "--format", "csv"])
        let csvRows = csv.output.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(csvRows.count == 2 && csvRows.allSatisfy { $0.count == csvRows[0].count })
        let columns = ["ratio", "objective", "budget_left", "state"].map { "slo_accepted-delivery_\($0)" }
        let positions = columns.compactMap { csvRows[0].firstIndex(of: $0) }
        #expect(positions.count == 4, "\(csvRows[0])")
        if positions.count == 4, csvRows.count == 2 {
            #expect(positions.map { csvRows[1][$0] } == ["70.00%", "99.00%", "-2900.00%", "breached"])
        }

        let json = try await BuiltProducts.run("lastmile", ["report", "--config", strict, "--period", "1d", "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        let records = try #require(object["slos"] as? [[String: Any]])
        let accepted = try #require(records.first { $0["slo"] as? String == "accepted-delivery" })
        #expect(accepted["breached"] as? Bool == true && accepted["good"] as? Int == 7 && accepted["total"] as? Int == 10)
        let html = try await BuiltProducts.run("lastmile", ["report", "--config", strict, "--period", "1d", "--format", "html"])
        #expect(html.output.contains("<h2>SLO compliance</h2>"))
        #expect(html.output.contains("<tr class=\"bad\"><td>accepted-delivery</td><td>bulk</td><td>EE</td><td>70.00%</td>"))

        let met = try await BuiltProducts.run("lastmile", ["report", "--config", lenient, "--period", "1d", "--fail-on-breach"])
        #expect(met.status == 0, "\(met.error)")
        #expect(met.output.contains("lenient  bulk  EE  70.00%  50.00%  40.00%  10  met"))

        // Without the flag a breach is reported but the exit is 0; the flag needs the SLOs of a config.
        #expect(try await BuiltProducts.run("lastmile", ["report", "--config", strict, "--period", "1d"]).status == 0)
        #expect(try await BuiltProducts.run("lastmile", ["report", "--store", path, "--fail-on-breach"]).status == 2)

        // A period with no canaries is no data, not a breach; --output writes the file instead of stdout.
        let output = directory.path("weekly.md")
        let quiet = try await BuiltProducts.run("lastmile", ["report", "--config", strict, "--period", "last-month", "--fail-on-breach",
                                                             "--format", "markdown", "--output", output])
        #expect(quiet.status == 0, "\(quiet.error)")
        #expect(quiet.output.isEmpty)
        #expect(try String(contentsOfFile: output, encoding: .utf8).contains("no canaries in this period"))
    }
}

/// What the report command refuses, and the periods it reads from its options.
@Suite struct ReportPeriodTests {
    @Test func aMistypedOptionOrAStrayArgumentIsAUsageErrorNotIgnored() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("report.db")
        try await ReportCommandTests.makeStore(at: path)
        let single = try await BuiltProducts.run("lastmile", ["report", "--store", path, "--period", "1d", "-fail-on-breach"])
        #expect(single.status == 2)
        #expect(single.error.contains("unknown option -fail-on-breach"), "\(single.error)")
        let stray = try await BuiltProducts.run("lastmile", ["report", "--store", path, "-o", "out.html"])
        #expect(stray.status == 2)
        #expect(try await BuiltProducts.run("lastmile", ["check", "probes/demo.toml"]).status == 2)
        #expect(try await BuiltProducts.run("lastmile", ["version", "now"]).status == 2)
        #expect(try await BuiltProducts.run("lastmile", ["trace", "--store", path, "a", "b"]).status == 2)
    }

    @Test func durationsBeyondWhatTheClockCanCountAreRefusedBeforeAnythingStarts() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("report.db")
        try await ReportCommandTests.makeStore(at: path)
        let demo = try await BuiltProducts.run("lastmile", ["demo", "--duration", "300000000000000000000s"])
        #expect(demo.status == 2)
        #expect(demo.error.contains("--duration must be at most"), "\(demo.error)")
        let report = try await BuiltProducts.run("lastmile", ["report", "--store", path, "--period", "4000d"])
        #expect(report.status == 2)
        #expect(report.error.contains("--period must be at most"), "\(report.error)")
        #expect(try await BuiltProducts.run("lastmile", ["report", "--store", path, "--period", "0s"]).status == 2)
    }

    @Test func aNamedPeriodEndsBeforeToAndFromWithAPeriodIsRefused() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("report.db")
        try await ReportCommandTests.makeStore(at: path)
        let yesterday = try await BuiltProducts.run("lastmile", ["report", "--store", path, "--period", "yesterday",
                                                                 "--to", "2024-03-01T12:00:00Z"])
        #expect(yesterday.status == 0, "\(yesterday.error)")
        #expect(yesterday.output.contains("2024-02-29T00:00:00Z to 2024-03-01T00:00:00Z"), "\(yesterday.output)")
        let both = try await BuiltProducts.run("lastmile", ["report", "--store", path, "--from", "2024-03-01T00:00:00Z", "--period", "7d"])
        #expect(both.status == 2)
        #expect(both.error.contains("not both"))
    }
}

@Suite struct DemoStoreTests {
    /// The demo's closing report counts every canary it sent, not the newest 10,000.
    @Test func theDemosReportCountsEveryCanary() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("demo.db")
        let store = try CanaryStore(path: path)
        var correlator = Correlator()
        let started = Date().addingTimeInterval(-600)
        var canaries: [Canary] = []
        for index in 0..<10_001 {
            let token = Token(payload: UInt64(50_000 + index))
            let plan = CanaryPlan(id: "d\(index)", token: token, route: "healthy", carrier: "AT&T", probe: "p", receiver: "rx",
                                  to: "+15550000000", from: "LASTMILE", body: "Lastmile check \(token)", threshold: 60, deadline: 600)
            canaries += correlator.submitStarted(plan, at: started.addingTimeInterval(Double(index) / 100)).changed
        }
        try await store.commit(StoreChange(canaries: canaries))
        store.beginClosing()
        let summaries = try DemoStore.summaries(path: path, since: started)
        #expect(summaries.map(\.sent) == [10_001])
    }
}

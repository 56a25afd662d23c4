import Foundation
import Testing
@testable import LastmileCore

@Suite struct SummaryTests {
    /// Canaries for one route × carrier with the given verdicts and receipts.
    static func canaries() -> [Canary] {
        var s = Scenario()
        var result: [Canary] = []
        let cases: [(String, SubmitOutcome, ReceiptStatus?, TimeInterval?)] = [
            ("a", .accepted, .delivered, 10), ("b", .accepted, .delivered, 30), ("c", .accepted, .delivered, 90),
            ("d", .accepted, .delivered, nil), ("e", .accepted, .failed, nil), ("f", .accepted, nil, nil),
            ("g", .rejected, nil, nil), ("h", .error, nil, nil),
        ]
        for (id, outcome, receipt, arrival) in cases {
            let p = s.plan(id: id, threshold: 60, deadline: 900)
            s.start(p)
            s.answer(p, outcome, messageID: "m-\(id)")
            if let receipt { s.receipt(receipt, messageID: "m-\(id)", at: 5) }
            if let arrival { s.arrive(p, at: arrival) }
        }
        s.advance(to: 1_000)
        for (id, _, _, _) in cases { result.append(s.correlator.canary(id: id)!) }
        return result
    }

    @Test func countsEachSourceOfTruthSideBySide() throws {
        let summary = try #require(CanarySummaries.summarize(Self.canaries()).first)
        #expect(summary.sent == 8)
        #expect(summary.accepted == 6 && summary.rejected == 1 && summary.apiErrors == 1)
        #expect(summary.receiptDelivered == 4 && summary.receiptFailed == 1 && summary.receiptNone == 3)
        #expect(summary.verdicts == [.delivered: 2, .late: 1, .lost: 3, .rejected: 1, .sendError: 1])
        #expect(summary.falseReceipts == 1 && summary.honestFailures == 1 && summary.silences == 1)
        #expect(summary.acceptedSettled == 6)
        #expect(summary.deliveryRate == 2.0 / 8)
        #expect(summary.acceptedUndeliveredRate == 3.0 / 6)
        #expect(summary.falseReceiptRate == 1.0 / 4)
        #expect(summary.latencies == [10, 30, 90])
        #expect(summary.latency(quantile: 0.5) == 30)
        #expect(summary.latency(quantile: 0.95) == 90)
    }

    @Test func aCarrierNamedLikeAFormulaOrWithALineBreakStaysOneCell() {
        let canaries = Self.canaries().map { canary -> Canary in
            var canary = canary
            canary.plan.carrier = "=HYPERLINK(\"x\")|a\rb"
            return canary
        }
        let report = PeriodSummary(from: Scenario.t0, to: Scenario.t0.addingTimeInterval(86_400), summaries: CanarySummaries.summarize(canaries))
        let csv = report.render(.csv)
        #expect(csv.contains(#",r1,"'=HYPERLINK(""x"")|a\#rb",8,"#))
        #expect(!csv.contains("'-"), "a placeholder is not a formula")
        #expect(report.render(.markdown).contains(#"| r1 | =HYPERLINK("x")\|a\#rb | 8 |"#))
    }

    @Test func everyFormatCarriesTheFigures() throws {
        let report = PeriodSummary(from: Scenario.t0, to: Scenario.t0.addingTimeInterval(86_400),
                                   summaries: CanarySummaries.summarize(Self.canaries()))
        let text = report.render(.text)
        #expect(text.contains("r1     Carrier     8         6                  4        3        2     1     3"))
        #expect(text.contains("1 canary was lost although the receipt said delivered"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.render(.json).utf8)) as? [String: Any])
        let route = try #require((json["routes"] as? [[String: Any]])?.first)
        #expect((route["verdicts"] as? [String: Int])?["lost"] == 3)
        #expect((route["lost_by_receipt"] as? [String: Int]) == ["delivered": 1, "failed": 1, "none": 1])
        #expect(route["accepted_undelivered_rate"] as? Double == 0.5)
        let csv = report.render(.csv).split(separator: "\n")
        #expect(csv.count == 2)
        #expect(csv[0].hasPrefix("from,to,route,carrier,sent,accepted"))
        #expect(csv[1].contains(",r1,Carrier,8,6,4,3,2,1,3,1,1,1,25.0%,50.0%,25.0%,30s,90s"))
        #expect(report.render(.markdown).contains("| r1 | Carrier | 8 | 6 | 4 | 3 | 2 | 1 | 3 | 1 | 1 | 1 |"))
        let html = report.render(.html)
        #expect(html.contains("<tr class=\"bad\"><td>r1</td><td>Carrier</td><td>8</td>"))
    }

    @Test func alertsNeedEvidence() {
        // One loss in ten is no proof of breaking a 99% objective (a 1% route shows it 9.6% of the time);
        // the Wilson bound would say otherwise, the exact bound does not.
        #expect(Wilson.lowerBound(events: 1, trials: 10) > 0.01)
        #expect(Binomial.lowerBound(events: 1, trials: 10) < 0.01)
        #expect(abs(Binomial.upperTail(atLeast: 1, trials: 10, probability: 0.01) - 0.0956) < 0.0001)
        #expect(abs(Binomial.lowerBound(events: 1, trials: 10) - 0.00512) < 0.0001)
        #expect(Binomial.lowerBound(events: 30, trials: 100) > 0.2)
        #expect(Binomial.lowerBound(events: 0, trials: 50) == 0)
        #expect(Wilson.lowerBound(events: 0, trials: 0) == 0)
        #expect(Wilson.lowerBound(events: 5, trials: 10) < 0.5 && Wilson.upperBound(events: 5, trials: 10) > 0.5)
    }

    @Test func oneLossInThousandsNeverReadsAsNoneNorDeliveryAsWhole() throws {
        var summary = RouteCarrierSummary(route: "bulk", carrier: "EE")
        summary.sent = 2_001
        summary.acceptedSettled = 2_001
        summary.verdicts = [.delivered: 2_000, .lost: 1]
        let text = PeriodSummary(from: Date(timeIntervalSince1970: 0), to: Date(timeIntervalSince1970: 86_400), summaries: [summary]).render(.text)
        #expect(text.contains("bulk × EE: <0.1% of accepted canaries never arrived."), "\(text)")
        let row = try #require(text.split(separator: "\n").first { $0.hasPrefix("bulk") }).split(separator: " ")
        // The delivery and accepted-undelivered columns.
        #expect(row.count > 13 && row[12] == ">99.9%" && row[13] == "<0.1%", "\(text)")
        // 1,999 of 2,000 is 0.9995 exactly, which printf rounds to 100.0 %.
        summary.sent = 2_000
        summary.acceptedSettled = 2_000
        summary.verdicts = [.delivered: 1_999, .lost: 1]
        let edge = PeriodSummary(from: Date(timeIntervalSince1970: 0), to: Date(timeIntervalSince1970: 86_400), summaries: [summary])
        let edgeRow = try #require(edge.render(.text).split(separator: "\n").first { $0.hasPrefix("bulk") }).split(separator: " ")
        #expect(edgeRow.count > 13 && edgeRow[12] == ">99.9%" && edgeRow[13] == "0.1%", "\(edge.render(.text))")
        // CSV cells stay numbers for spreadsheets.
        let csv = edge.render(.csv)
        #expect(!csv.contains("<") && !csv.contains(">") && csv.contains(",100.0%,0.1%,"), "\(csv)")
    }

    @Test func latenciesAreSortedHoweverTheCanariesCome() throws {
        let canaries = Self.canaries()
        let summary = try #require(CanarySummaries.summarize(canaries.reversed()).first)
        #expect(summary.latencies == [10, 30, 90])
        var added = RouteCarrierSummary(route: "r", carrier: "c")
        for canary in canaries.reversed() { added.add(canary) }
        #expect(added.latencies == [10, 30, 90])
        #expect(added.sent == summary.sent && added.verdicts == summary.verdicts)
    }
}

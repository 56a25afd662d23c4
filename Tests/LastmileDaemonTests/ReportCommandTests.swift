import Foundation
import LastmileCore
import LastmileStore
import LastmileTestSupport
import Testing

@Suite struct ReportCommandTests {
    @Test func reportsAPeriodFromTheStoreInEveryFormat() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("report.db")
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
        store.close()

        let text = try await BuiltProducts.run("lastmile", ["report", "--store", path, "--period", "1d"])
        #expect(text.status == 0, "\(text.error)")
        #expect(text.output.contains("bulk   EE         10        10"))
        #expect(text.output.contains("30.0% of accepted canaries never arrived"))
        let json = try await BuiltProducts.run("lastmile", ["report", "--store", path, "--period", "1d", "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        let route = try #require((object["routes"] as? [[String: Any]])?.first)
        #expect((route["verdicts"] as? [String: Int])?["delivered"] == 7)
        #expect((route["verdicts"] as? [String: Int])?["lost"] == 3)
        for format in ["markdown", "csv", "html"] {
            let run = try await BuiltProducts.run("lastmile", ["report", "--store", path, "--format", format])
            #expect(run.status == 0)
            #expect(run.output.contains("bulk"))
        }
        // A period before the canaries: an empty report, not an error.
        let empty = try await BuiltProducts.run("lastmile", ["report", "--store", path, "--to", "2020-01-01T00:00:00Z", "--period", "1d"])
        #expect(empty.status == 0)
        #expect(empty.output.contains("no canaries in this period"))
        #expect(try await BuiltProducts.run("lastmile", ["report", "--store", path, "--format", "pdf"]).status == 2)
        #expect(try await BuiltProducts.run("lastmile", ["report", "--store", directory.path("missing.db")]).status == 1)
    }
}

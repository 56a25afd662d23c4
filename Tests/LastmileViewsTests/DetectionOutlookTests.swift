import Foundation
import LastmileConfig
import LastmileProviders
import LastmileCore
import LastmileViews
import LastmileTestSupport
import Testing

@Suite struct DetectionOutlookTests {
    static func configuration(extra: String = "", slo: Bool = true, alerting: String = "") throws -> LastmileConfiguration {
        var text = ConfigText.httpRoute(extra: extra) + """
            [[receiver]]
            name = "a"
            number = "+15551230001"
            carrier = "Alpha"
            source = "json"
            secret = "arrival-token"

            [[receiver]]
            name = "b"
            number = "+15551230002"
            carrier = "Beta"
            source = "json"
            secret = "arrival-token"

            [[probe]]
            name = "both"
            route = "r"
            receivers = ["a", "b"]
            interval = "5m"
            deadline = "15m"

            [[probe]]
            name = "alpha-more"
            route = "r"
            receivers = ["a"]
            interval = "5m"
            deadline = "15m"

            """
        if slo {
            text += "[[slo]]\nname = \"accepted\"\nindicator = \"accepted_delivery\"\nobjective = 0.99\nwindow = \"28d\"\n"
        }
        if !alerting.isEmpty { text += "[alerting]\n\(alerting)\n" }
        let result = ConfigLoader.load(text: Array(text.utf8), path: "/tmp/outlook.toml", catalogue: .standard, environment: [:])
        return try #require(result.configuration, "\(result.diagnostics)")
    }

    @Test func theDetectorsPageAnOutageBeforeItsDeadlineAndStateTheirFalsePages() async throws {
        let configuration = try Self.configuration()
        let outlook = await offThePool { DetectionOutlook(configuration) }
        #expect(outlook.sequential)
        #expect(outlook.lines.map(\.canariesPerHour) == [24, 12])
        for line in outlook.lines {
            // Overdue canaries count: an outage pages by the time the 15-minute deadline would settle one.
            let outage = try #require(line.outage, "\(line.carrier): an outage never paged")
            #expect(outage <= 900, "\(line.carrier): \(outage / 60) min")
            let tenPercent = try #require(line.tenPercent, "\(line.carrier): a 10% loss never paged")
            #expect(tenPercent > outage)
            // One false page a year asked for; the bound counts the bank's three tests as if they
            // never coincided (two thirds of a page each), and healthy canaries late enough to look
            // lost until they arrive (a few tenths more).
            let falsePages = try #require(line.falsePagesPerYear)
            #expect(falsePages > 2 && falsePages < 3, "\(falsePages)")
        }
        #expect(outlook.lines[0].outage! < 900, "at 24 canaries an hour the first overdue ones page an outage")
        #expect(outlook.lines[1].outage! >= outlook.lines[0].outage!, "fewer canaries cannot page sooner")
        #expect(outlook.text.contains("from the sequential detectors"))
        #expect(outlook.text.contains("whole configuration: 2 route × carrier pairs, at most "))

        let strict = try Self.configuration(alerting: "false_pages_per_year = 0.1")
        let fewer = await offThePool { DetectionOutlook(strict) }
        #expect(fewer.lines[0].falsePagesPerYear! < outlook.lines[0].falsePagesPerYear! / 5)
        #expect(fewer.lines[0].outage! >= outlook.lines[0].outage!, "fewer false pages cannot page sooner")
    }

    @Test func eachCarrierIsJudgedAtTheRateItIsProbed() async throws {
        let configuration = try Self.configuration(alerting: "detectors = false")
        let outlook = await offThePool { DetectionOutlook(configuration) }
        #expect(outlook.lines.map(\.carrier) == ["Alpha", "Beta"])
        #expect(outlook.lines.map(\.canariesPerHour) == [24, 12])
        for line in outlook.lines {
            // Nothing is known before the 15-minute deadline; an outage pages within half an hour of it.
            let outage = try #require(line.outage, "\(line.carrier): an outage never paged")
            #expect(outage >= 900 && outage <= 2_700, "\(line.carrier): \(outage / 60) min")
            // A 10% loss needs hours, more of them at the lower rate (or none within the 12h horizon).
            #expect(line.tenPercent.map { $0 > 45 * 60 } ?? true)
        }
        #expect(outlook.lines[1].outage! >= outlook.lines[0].outage!, "fewer canaries cannot page sooner")
        #expect(outlook.text.contains("median time to page for accepted (99%)"))
        #expect(outlook.text.contains("r      Beta     12"))
    }

    @Test func aDailyCapThinsTheRateAndNoSLOSaysSo() async throws {
        let configuration = try Self.configuration(extra: "daily_cap = 432")
        let capped = await offThePool { DetectionOutlook(configuration) }
        #expect(capped.sequential)
        #expect(capped.lines.map(\.canariesPerHour) == [12, 6])
        let none = DetectionOutlook(try Self.configuration(slo: false))
        #expect(none.lines.isEmpty)
        #expect(none.text == "alerting: no accepted_delivery SLO, so nothing pages when accepted messages stop arriving")
    }
}

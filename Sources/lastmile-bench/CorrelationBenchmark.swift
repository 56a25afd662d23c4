import Foundation
import LastmileCore

/// Matches per second in the correlator with 100,000 canaries in flight; the
/// reference is the cost of the token scan alone on the same bodies.
enum CorrelationBenchmark {
    static let inFlight = 100_000

    static func run() async throws {
        var correlator = Correlator()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var generator = SystemRandomNumberGenerator()
        var plans: [CanaryPlan] = []
        plans.reserveCapacity(inFlight)
        for index in 0..<inFlight {
            let token = Token.random(using: &generator)
            let plan = CanaryPlan(id: "c\(index)", token: token, route: "r\(index % 50)", carrier: "c\(index % 7)",
                                  probe: "p", receiver: "rx", to: "+15551230001", from: "+15005550006",
                                  body: "Lastmile check \(token)", threshold: 60, deadline: 900)
            plans.append(plan)
            _ = correlator.submitStarted(plan, at: start)
            _ = correlator.submitAnswered(id: plan.id, answer: SubmitAnswer(outcome: .accepted, providerMessageID: "m\(index)"),
                                          at: start)
        }
        let arrivals = plans.map { ArrivalReport(receiver: "rx", from: $0.from, body: "FreeMsg: " + $0.body,
                                                 ingestedAt: start.addingTimeInterval(5)) }

        let scanWatch = Stopwatch()
        var found = 0
        for arrival in arrivals { found += TokenScanner.candidates(in: arrival.body).count }
        let scanRate = Double(arrivals.count) / scanWatch.seconds

        let matchWatch = Stopwatch()
        var matched = 0
        for arrival in arrivals {
            if case .matched = correlator.ingest(arrival).match { matched += 1 }
        }
        let matchRate = Double(arrivals.count) / matchWatch.seconds

        let receiptWatch = Stopwatch()
        for index in 0..<inFlight {
            _ = correlator.ingest(ReceiptReport(route: "r\(index % 50)", providerMessageID: "m\(index)", status: .delivered,
                                                rawStatus: "DELIVRD", ingestedAt: start.addingTimeInterval(6)))
        }
        let receiptRate = Double(inFlight) / receiptWatch.seconds

        print("correlation: \(inFlight) canaries in flight")
        print("  token scan alone (reference): \(formatted(scanRate)) bodies/s (\(found) candidates)")
        print("  arrival matches:              \(formatted(matchRate)) matches/s (\(matched) matched)")
        print("  receipt matches:              \(formatted(receiptRate)) matches/s")
        print("  ratio arrival match/scan:     \(formatted(matchRate / scanRate, digits: 2))")
    }
}

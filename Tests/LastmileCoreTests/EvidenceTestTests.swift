import Foundation
import Testing
@testable import LastmileCore

/// The evidence tests: the daemon's exact one, and the arithmetic one the Prometheus rules use.
@Suite struct EvidenceTestTests {
    /// The smallest bad count in `n` that a test accepts as evidence of a rate above `allowed`.
    static func smallestEvidence(_ n: Int, _ passes: (Int) -> Bool) -> Int? {
        (0...n).first(where: passes)
    }

    @Test(arguments: [0.95, 0.999])
    func exceedsGivesTheLowerBoundsVerdict(confidence: Double) {
        for n in [10, 12, 30, 72, 288, 720] {
            for k in 0...min(n, 30) {
                for allowed in [0.001, 0.01, 0.05] {
                    let bound = Binomial.lowerBound(events: k, trials: n, confidence: confidence)
                    // Away from the edge (the search's own precision), the two agree.
                    guard abs(bound - allowed) > 1e-9 else { continue }
                    #expect(Binomial.exceeds(allowed, events: k, trials: n, confidence: confidence) == (bound > allowed),
                            "\(k) of \(n) against \(allowed) at \(confidence)")
                }
            }
        }
    }

    @Test(arguments: [0.95, 0.999])
    func thePrometheusBoundNeverPagesWhereTheExactTestWouldNot(confidence: Double) {
        let z = Binomial.normalQuantile(confidence)
        var stricter = 0
        for n in 10...400 {
            for allowed in [0.001, 0.01, 0.05] {
                let exact = Self.smallestEvidence(n) { Binomial.exceeds(allowed, events: $0, trials: n, confidence: confidence) }
                let poisson = Self.smallestEvidence(n) { Binomial.poissonLowerBound(events: Double($0), trials: Double(n), z: z) > allowed }
                guard let exact, let poisson else {
                    Issue.record("\(n) trials, \(allowed) allowed: no count is evidence (exact \(exact.map(String.init) ?? "none"), Prometheus \(poisson.map(String.init) ?? "none"))")
                    continue
                }
                #expect(poisson == exact || poisson == exact + 1, "\(n) trials, \(allowed) allowed: exact \(exact), Prometheus \(poisson)")
                if poisson != exact { stricter += 1 }
            }
        }
        // Mostly the same count; never a smaller one.
        #expect(stricter < 400, "\(stricter) of 1,173 cases need one more bad event")
    }

    @Test func twoLossesInTwelveAreNoPageButAreATicketsEvidence() {
        // At 12 canaries an hour: 2 of 12 against 1 % has P = 0.62 %, enough at 95 %, not at 99.9 %.
        #expect(abs(Binomial.upperTail(atLeast: 2, trials: 12, probability: 0.01) - 0.00617) < 0.0001)
        #expect(Binomial.exceeds(0.01, events: 2, trials: 12, confidence: 0.95))
        #expect(!Binomial.exceeds(0.01, events: 2, trials: 12, confidence: AlertTier.pageConfidence))
        #expect(Binomial.exceeds(0.01, events: 3, trials: 12, confidence: AlertTier.pageConfidence))
        #expect(AlertTier.standard.filter { $0.severity == "page" }.allSatisfy { $0.confidence == AlertTier.pageConfidence })
        #expect(AlertTier.standard.filter { $0.severity == "ticket" }.allSatisfy { $0.confidence == nil })
        // The normal quantile the rules use.
        #expect(abs(Binomial.normalQuantile(0.95) - 1.645) < 0.001)
        #expect(abs(Binomial.normalQuantile(0.999) - 3.090) < 0.001)
    }
}

import LastmileCore
import Testing
@testable import LastmileSimulator

/// The simulator's latencies have the shapes they claim, and a seed repeats them.
@Suite struct LatencyDistributionTests {
    func samples(_ distribution: LatencyDistribution, count: Int, seed: UInt64 = 42) -> [Double] {
        var generator = SeededRandom(seed: seed)
        return (0..<count).map { _ in distribution.sample(using: &generator) }
    }

    @Test func fixedIsAlwaysItsValue() {
        #expect(Set(samples(.fixed(2.5), count: 100)) == [2.5])
    }

    @Test func uniformStaysInItsRangeAndFillsIt() {
        let values = samples(.uniform(1, 3), count: 2_000)
        #expect(values.allSatisfy { (1...3).contains($0) })
        #expect(values.contains { $0 < 1.5 } && values.contains { $0 > 2.5 })
    }

    @Test func logNormalHasItsMedianAndALongTail() {
        let values = samples(.logNormal(median: 4, sigma: 0.8), count: 10_001).sorted()
        let median = values[values.count / 2]
        #expect(abs(median - 4) < 0.3, "median \(median)")
        let p99 = values[Int(Double(values.count) * 0.99)]
        #expect(p99 > 4 * 4, "p99 \(p99) is no long tail")
        #expect(values.allSatisfy { $0 > 0 })
    }

    @Test func aMixtureTakesItsSecondPartAtItsRate() {
        let values = samples(.mixture(.fixed(1), .fixed(100), rate: 0.2), count: 5_000)
        let share = Double(values.filter { $0 == 100 }.count) / Double(values.count)
        #expect(abs(share - 0.2) < 0.03, "share \(share)")
    }

    @Test func aSeedRepeatsItsSamples() {
        let distribution = LatencyDistribution.mixture(.logNormal(median: 3, sigma: 0.5), .uniform(30, 60), rate: 0.1)
        #expect(samples(distribution, count: 50, seed: 7) == samples(distribution, count: 50, seed: 7))
        #expect(samples(distribution, count: 50, seed: 7) != samples(distribution, count: 50, seed: 8))
    }
}

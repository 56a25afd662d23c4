import Foundation

/// Good and total events over a rolling window, kept in a fixed ring of buckets (each a
/// thirtieth of the window), so adding and reading are O(1) in memory and time.
public struct RollingCounter: Sendable, Hashable {
    public static let buckets = 30

    public let window: TimeInterval
    private var indices: [Int64]
    private var good: [Int32]
    private var total: [Int32]

    public init(window: TimeInterval) {
        self.window = window
        indices = Array(repeating: .min, count: Self.buckets)
        good = Array(repeating: 0, count: Self.buckets)
        total = Array(repeating: 0, count: Self.buckets)
    }

    private var width: TimeInterval { window / Double(Self.buckets) }

    private func bucket(of date: Date) -> Int64 { Int64((date.timeIntervalSince1970 / width).rounded(.down)) }

    /// Counts one event at `date`.
    public mutating func add(good isGood: Bool, at date: Date) {
        let index = bucket(of: date)
        let slot = Int(((index % Int64(Self.buckets)) + Int64(Self.buckets)) % Int64(Self.buckets))
        if indices[slot] != index {
            indices[slot] = index
            good[slot] = 0
            total[slot] = 0
        }
        total[slot] += 1
        if isGood { good[slot] += 1 }
    }

    /// Events in the window ending at `now` (to the resolution of one bucket).
    public func counts(at now: Date) -> (good: Int, total: Int) {
        let newest = bucket(of: now)
        var goodSum = 0, totalSum = 0
        for slot in 0..<Self.buckets where indices[slot] > newest - Int64(Self.buckets) && indices[slot] <= newest {
            goodSum += Int(good[slot])
            totalSum += Int(total[slot])
        }
        return (goodSum, totalSum)
    }
}

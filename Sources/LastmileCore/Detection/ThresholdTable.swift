import Foundation
import Synchronization

/// Thresholds of the detector banks, computed once per healthy rate, jump and run length
/// (each rounded to two significant digits, the healthy rate and run length upward), since an
/// exact run length costs milliseconds and every route × carrier asks at every change.
public final class ThresholdTable: Sendable {
    /// One threshold asked for: the test for `jump` over `healthy`, with `runLength` healthy
    /// observations between false signals.
    public struct Request: Sendable, Hashable {
        public var healthy: Double
        public var jump: Double
        public var runLength: Double

        /// `healthy` and `runLength` are rounded up to two significant digits.
        public init(healthy: Double, jump: Double, runLength: Double) {
            self.healthy = ThresholdTable.roundedUp(healthy)
            self.jump = jump
            self.runLength = ThresholdTable.roundedUp(runLength)
        }
    }

    private let cache = Mutex<[Request: Int]>([:])

    public init() {}

    /// The table shared by every detector of the process.
    public static let shared = ThresholdTable()

    /// `healthy` and `runLength` rounded up to two significant digits.
    public static func roundedUp(_ value: Double) -> Double {
        guard value > 0 else { return value }
        let scale = pow(10, floor(log10(value)) - 1)
        return (value / scale - 1e-9).rounded(.up) * scale
    }

    /// The test `request` names and its threshold in cells, computed now if the table lacks it.
    public func test(_ request: Request) -> (test: BernoulliCUSUM, thresholdCells: Int) {
        let test = BernoulliCUSUM(healthy: request.healthy, jump: request.jump)
        if let cells = cached(request) { return (test, cells) }
        let cells = CUSUMRunLength.thresholdCells(test, healthyRunLength: request.runLength, near: guess(for: request, test: test))
        cache.withLock { $0[request] = cells }
        return (test, cells)
    }

    /// A threshold for `request` guessed from the computed one nearest in healthy rate, for the
    /// same jump and run length: about as many nats, in `test`'s cells.
    private func guess(for request: Request, test: BernoulliCUSUM) -> Int? {
        let neighbour = cache.withLock { cache in
            cache.filter { $0.key.jump == request.jump && $0.key.runLength == request.runLength }
                .min { abs($0.key.healthy - request.healthy) < abs($1.key.healthy - request.healthy) }
        }
        guard let (known, cells) = neighbour else { return nil }
        let nats = Double(cells) * BernoulliCUSUM(healthy: known.healthy, jump: known.jump).cell
        return Int((nats / test.cell).rounded())
    }

    /// The threshold of `request` in cells, if already computed.
    public func cached(_ request: Request) -> Int? {
        cache.withLock { $0[request] }
    }

    /// Computes whichever of `requests` the table lacks.
    public func prepare(_ requests: some Sequence<Request>) {
        for request in Set(requests) where cached(request) == nil { _ = test(request) }
    }
}

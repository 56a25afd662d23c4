import Testing
@testable import HTTP

/// The connection time limits over a clock that moves only when the test says so.
@Suite struct ConnectionTimerTests {
    static var limits: HTTPLimits {
        var limits = HTTPLimits()
        limits.headerTimeout = 10
        limits.bodyTimeout = 30
        limits.idleTimeout = 60
        limits.writeTimeout = 20
        return limits
    }

    let start = ContinuousClock.now

    func at(_ seconds: Double) -> ContinuousClock.Instant { start.advanced(by: .seconds(seconds)) }

    /// A connection accepted at 0 whose whole request came in at 1 s: its handler runs.
    func handling() -> ConnectionTimer {
        var timer = ConnectionTimer(limits: Self.limits, acceptedAt: start)
        timer.received(at: at(1))
        timer.headReceived(at: at(1))
        timer.requestReceived()
        return timer
    }

    @Test func aSilentConnectionRunsOutAtTheHeadDeadlineFromItsAccept() {
        let timer = ConnectionTimer(limits: Self.limits, acceptedAt: start)
        #expect(timer.expiry(at: at(9.9)) == nil)
        #expect(timer.expiry(at: at(10)) == .silent)
    }

    @Test func aConnectionLingersForItsLingerTimeAfterAnErrorAnswerWhateverItsPeerSends() {
        var timer = ConnectionTimer(limits: Self.limits, acceptedAt: start)
        timer.received(at: at(1))
        timer.writing(at: at(1))
        timer.lingering(at: at(1.5))
        timer.received(at: at(2))
        #expect(timer.phase == .lingering)
        #expect(timer.expiry(at: at(3.4)) == nil)
        #expect(timer.expiry(at: at(3.5)) == .lingered)
    }

    @Test func aFirstByteDoesNotRestartTheFirstHeadsClock() {
        var timer = ConnectionTimer(limits: Self.limits, acceptedAt: start)
        timer.received(at: at(9))
        #expect(timer.phase == .head)
        #expect(timer.expiry(at: at(9.9)) == nil)
        #expect(timer.expiry(at: at(10)) == .request("the request head took too long"))
    }

    @Test func anIdleLimitShorterThanTheHeadLimitClosesFirst() {
        var limits = Self.limits
        limits.idleTimeout = 2
        let timer = ConnectionTimer(limits: limits, acceptedAt: start)
        #expect(timer.expiry(at: at(2)) == .silent)
    }

    @Test func aHeadInStartsTheBodysClock() {
        var timer = ConnectionTimer(limits: Self.limits, acceptedAt: start)
        timer.received(at: at(1))
        timer.headReceived(at: at(5))
        #expect(timer.phase == .body)
        // The head's limit no longer applies.
        #expect(timer.expiry(at: at(34.9)) == nil)
        #expect(timer.expiry(at: at(35)) == .request("the request body took too long"))
    }

    @Test func noLimitWhileTheHandlerRuns() {
        let timer = handling()
        #expect(timer.deadline == nil)
        #expect(timer.expiry(at: at(100_000)) == nil)
    }

    @Test func aResponseMustBeTakenWithinTheWriteLimit() {
        var timer = handling()
        timer.writing(at: at(50))
        #expect(timer.expiry(at: at(69.9)) == nil)
        #expect(timer.expiry(at: at(70)) == .write)
    }

    @Test func betweenRequestsTheIdleLimitAppliesAndTheNextHeadIsTimedFromItsFirstByte() {
        var timer = handling()
        timer.writing(at: at(2))
        timer.written(at: at(3))
        #expect(timer.phase == .waiting)
        // Longer than the head limit, shorter than the idle one.
        #expect(timer.expiry(at: at(40)) == nil)
        #expect(timer.expiry(at: at(63)) == .silent)
        timer.received(at: at(50))
        #expect(timer.expiry(at: at(59.9)) == nil)
        #expect(timer.expiry(at: at(60)) == .request("the request head took too long"))
    }

    @Test func moreBytesOfTheSameHeadDoNotExtendIt() {
        var timer = ConnectionTimer(limits: Self.limits, acceptedAt: start)
        for second in 0..<10 { timer.received(at: at(Double(second))) }
        #expect(timer.expiry(at: at(10)) == .request("the request head took too long"))
    }
}

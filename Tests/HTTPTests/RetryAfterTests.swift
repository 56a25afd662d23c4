import Foundation
import Testing
@testable import HTTP

@Suite struct RetryAfterTests {
    /// Sun, 06 Nov 1994 08:49:37 GMT, the RFC's example.
    let example = Date(timeIntervalSince1970: 784_111_777)

    @Test func secondsAreTakenAsTheyAre() {
        #expect(RetryAfter.delay("120", now: example) == .seconds(120))
        #expect(RetryAfter.delay(" 5 ", now: example) == .seconds(5))
        #expect(RetryAfter.delay("0", now: example) == .zero)
        #expect(RetryAfter.delay("99999999999999999999999", now: example) == .seconds(Int.max))
    }

    @Test func aDateIsTheWaitUntilIt() {
        #expect(RetryAfter.delay("Sun, 06 Nov 1994 08:50:07 GMT", now: example) == .seconds(30))
        #expect(RetryAfter.delay("Sun, 06 Nov 1994 08:49:37 GMT", now: example.addingTimeInterval(60)) == .zero)
    }

    @Test func anythingElseIsNoWait() {
        for value in ["", "soon", "-5", "1.5", "5s", "Sun, 06 Nov 1994 08:49:37", "Sun, 31 Feb 1994 08:49:37 GMT",
                      "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT"] {
            #expect(RetryAfter.delay(value, now: example) == nil, "\(value)")
        }
    }
}

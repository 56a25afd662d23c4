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

    @Test func aDateInAnyOfItsThreeFormsIsTheWaitUntilIt() {
        #expect(RetryAfter.delay("Sun, 06 Nov 1994 08:50:07 GMT", now: example) == .seconds(30))
        #expect(RetryAfter.delay("Sunday, 06-Nov-94 08:50:07 GMT", now: example) == .seconds(30))
        #expect(RetryAfter.delay("Sun Nov  6 08:50:07 1994", now: example) == .seconds(30))
        #expect(RetryAfter.delay("Sun, 06 Nov 1994 08:49:37 GMT", now: example.addingTimeInterval(60)) == .zero)
    }

    @Test func aTwoDigitYearIsTheLatestThatIsNotMoreThanFiftyYearsAhead() {
        // From 1994: 44 is 2044 (50 years ahead); 45 would be 2045, so it is 1945, long past.
        #expect(RetryAfter.delay("Thursday, 01-Jan-44 00:00:00 GMT", now: example)! > .seconds(49 * 365 * 86_400))
        #expect(RetryAfter.delay("Monday, 01-Jan-45 00:00:00 GMT", now: example) == .zero)
    }

    @Test func anythingElseIsNotUnderstood() {
        for value in ["", "soon", "-5", "+5", "1.5", "5s", "Sun, 06 Nov 1994 08:49:37", "Sun, 31 Feb 1994 08:49:37 GMT",
                      "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 6 Nov 1994 08:49:37 GMT",
                      "Sun, 06 Nov 94 08:49:37 GMT", "Sun, 06 Nov 99999999999999999 08:49:37 GMT", "Xyz, 06 Nov 1994 08:49:37 GMT",
                      "Sun, 06 Nov 1994 8:49:37 GMT", "Sunday, 06-Nov-1994 08:49:37 GMT", "Sun Nov 6 08:49:37 94"] {
            #expect(RetryAfter.delay(value, now: example) == nil, "\(value)")
        }
    }
}

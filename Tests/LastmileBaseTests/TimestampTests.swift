import Foundation
import LastmileBase
import Testing

@Suite struct TimestampTests {
    @Test(arguments: [
        ("2020-01-01T12:00:00Z", 1_577_880_000.0),
        ("2020-01-01 12:00:00", 1_577_880_000.0),
        ("2020-01-01 12:00:00 +0000", 1_577_880_000.0),
        ("2019-11-09T16:00:00.000+0000", 1_573_315_200.0),
        ("2024-01-21T12:27:29.1405177Z", 1_705_840_049.14),
        ("2025-03-14T07:29:55.000+07:00", 1_741_912_195.0),
        ("2017-09-01T10:00:05+00:00", 1_504_260_005.0),
    ])
    func parsesWhatProvidersSend(text: String, seconds: Double) throws {
        let date = try #require(Timestamps.parse(text), "\(text)")
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.001)
    }

    @Test(arguments: ["", "yesterday", "2020-13-01T00:00:00Z", "12:00:00"])
    func rejectsWhatIsNotATime(text: String) {
        #expect(Timestamps.parse(text) == nil)
    }
}

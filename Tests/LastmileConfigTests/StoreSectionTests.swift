import Foundation
import LastmileConfig
import LastmileTestSupport
import Testing

/// `[store] retention` against what the daemon keeps in memory and what its SLOs count.
@Suite struct StoreSectionTests {
    static let slo = "\n[[slo]]\nname = \"delivery\"\nindicator = \"accepted_delivery\"\nobjective = 0.99\nwindow = \"30d\"\n"

    @Test(arguments: [
        ("[store]\nretention = \"12h\"", "must be at least 1d"),
        ("[store]\nretention = \"7d\"\n" + slo, "window 30d is longer than [store] retention 7d"),
        ("[store]\nunmatched_retention = \"5m\"", "unmatched_retention = \"5m\" must be at least 1d"),
    ])
    func aRetentionTooShortIsAnErrorWithItsPlace(_ section: String, message: String) throws {
        try ConfigFixtures.expectOneLocatedError(in: section, containing: message)
    }

    @Test func aRetentionThatCoversEverySLOWindowIsKept() throws {
        let (result, _) = try ConfigFixtures.load(ConfigFixtures.valid + "\n[store]\nretention = \"30d\"\n" + Self.slo)
        #expect(result.errors.isEmpty, "\(result.diagnostics)")
        #expect(result.configuration?.store.retention == ConfigDuration.parse("30d"))
    }
}

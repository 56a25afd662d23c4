import Foundation
import LastmileConfig
import LastmileTestSupport
import Testing

/// `[store] url` and `[cluster]`: a shared PostgreSQL store and the lease its instances take turns on.
@Suite struct ClusterSectionTests {
    @Test func aURLFromTheEnvironmentSelectsASharedStoreWithItsLease() throws {
        var environment = ConfigFixtures.environment
        environment["LASTMILE_DB"] = "postgresql://lastmile:pw@db.internal:5432/lastmile"
        let text = ConfigFixtures.valid + "\n[store]\nurl = { env = \"LASTMILE_DB\" }\n\n[cluster]\nlease = \"20s\"\n"
        let (result, _) = try ConfigFixtures.load(text, environment: environment)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let configuration = try #require(result.configuration)
        #expect(configuration.store.url?.reveal() == "postgresql://lastmile:pw@db.internal:5432/lastmile")
        #expect(configuration.cluster.lease == 20)
        #expect(!"\(configuration.store.url!)".contains("pw"), "a URL's password is a secret")
        let summary = ConfigSummary(configuration).text
        #expect(summary.contains("store: PostgreSQL at db.internal:5432/lastmile, shared by every instance"), "\(summary)")
        #expect(summary.contains("lasts 20s"), "\(summary)")
        #expect(!summary.contains("pw"))
    }

    @Test func theLeaseDefaultsToFifteenSeconds() throws {
        let (result, _) = try ConfigFixtures.load(ConfigFixtures.valid + "\n[store]\nurl = \"postgres://db/lastmile\"\n")
        #expect(result.configuration?.cluster.lease == 15)
    }

    @Test(arguments: [
        ("[store]\nurl = \"mysql://db/lastmile\"", "must be a PostgreSQL connection URI"),
        ("[store]\npath = \"x.db\"\nurl = \"postgresql://db/lastmile\"", "path and url name two stores"),
        ("[store]\nurl = \"postgresql://db/lastmile\"\nmax_size = \"1GB\"", "max_size limits a SQLite file"),
        ("[store]\nurl = \"postgresql://db/lastmile\"\n\n[cluster]\nlease = \"500ms\"", "lease must be between 1s and 5m"),
        ("[store]\nurl = \"postgresql://db/lastmile\"\n\n[cluster]\nleader = true", "leader"),
    ])
    func mistakesAreErrorsWithTheirPlace(_ section: String, message: String) throws {
        try ConfigFixtures.expectOneLocatedError(in: section, containing: message)
    }

    @Test func aClusterWithoutASharedStoreIsAWarning() throws {
        let (result, _) = try ConfigFixtures.load(ConfigFixtures.valid + "\n[cluster]\nlease = \"10s\"\n")
        #expect(result.errors.isEmpty)
        #expect(result.warnings.contains { $0.message.contains("[cluster] has no effect without [store] url") }, "\(result.warnings)")
    }
}

import Foundation
import LastmileConfig
import LastmileProviders
import LastmileTestSupport
import Testing

/// Every example in probes/ passes `lastmile check`, given the variables it names.
@Suite struct ExampleConfigTests {
    static let examples: [String] = {
        let directory = BuiltProducts.projectRoot.appendingPathComponent("probes")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".toml") }.sorted()
    }()

    /// Every `env = "NAME"` the file mentions, set to a recognisable value.
    static func environment(for path: String) throws -> [String: String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let pattern = try NSRegularExpression(pattern: #"env\s*=\s*"([A-Z0-9_]+)""#)
        var environment: [String: String] = [:]
        for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            let name = String(text[Range(match.range(at: 1), in: text)!])
            environment[name] = "example-secret-\(name.lowercased())"
        }
        return environment
    }

    @Test func thereIsOneExamplePerProviderAndTheDemo() async {
        // The generic provider's example is named for what it shows: any HTTP API.
        let providers = ProviderCatalogue.standard.providers.map { $0.describesItsShape ? "http-api" : $0.kind.rawValue }
        let expected = (["demo"] + providers).map { "\($0).toml" }.sorted()
        #expect(Self.examples == expected)
    }

    @Test(arguments: examples)
    func examplePassesCheck(name: String) async throws {
        let path = BuiltProducts.projectRoot.appendingPathComponent("probes").appendingPathComponent(name).path
        var environment = ProcessInfo.processInfo.environment
        environment.merge(try Self.environment(for: path)) { _, new in new }
        let run = try await BuiltProducts.run("lastmile", ["check", "--config", path], environment: environment)
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("\(path): OK"))
        #expect(!run.error.contains("error:"), "\(run.error)")
        for (_, secret) in try Self.environment(for: path) {
            #expect(!run.output.contains(secret) && !run.error.contains(secret))
        }
    }
}

/// `lastmile check` as an operator runs it.
@Suite struct CheckCommandTests {
    @Test func aValidConfigPrintsASummaryWithCanariesAndCost() async throws {
        let directory = try TemporaryDirectory()
        let text = ConfigFixtures.valid.replacingOccurrences(of: "from = \"+15005550006\"",
                                                             with: "from = \"+15005550006\"\nprice_per_message = 0.0079\ndaily_cap = 500")
        let path = try directory.write("lastmile.toml", text + "\n[[slo]]\nname = \"a\"\nindicator = \"delivery\"\nobjective = 0.99\n")
        let run = try await BuiltProducts.run("lastmile", ["check", "--config", path],
                                        environment: ["TWILIO_AUTH_TOKEN": "tw-secret-value-123"])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("1 route, 1 receiver, 1 probe, 1 SLO, 0 notifiers"))
        // One receiver every 2 minutes: 720 a day, capped at 500, at 0.0079 each.
        #expect(run.output.contains("us-longcode  twilio    1       500 (capped from 720)  USD 3.95"), "\(run.output)")
        #expect(!run.output.contains("tw-secret-value-123") && !run.error.contains("tw-secret-value-123"))
    }

    @Test func anInvalidConfigExitsOneWithEveryError() async throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("lastmile.toml", ConfigFixtures.valid
            .replacingOccurrences(of: "listen = \"127.0.0.1:9733\"", with: "listen = \"nowhere\"")
            .replacingOccurrences(of: "route = \"us-longcode\"", with: "route = \"nope\""))
        let run = try await BuiltProducts.run("lastmile", ["check", "--config", path], environment: ["TWILIO_AUTH_TOKEN": "x"])
        #expect(run.status == 1)
        #expect(run.error.contains("\(path):2:10: error: [server]: listen = \"nowhere\""))
        #expect(run.error.contains("\(path):22:9: error: probe \"us-longcode-tmo\": no route is named \"nope\""))
        #expect(run.error.contains("2 errors"))
        #expect(run.output.isEmpty)
    }

    @Test func thePackagedConfigurationPassesCheck() async throws {
        let path = BuiltProducts.projectRoot.appendingPathComponent("deploy/lastmile.toml").path
        var environment = ProcessInfo.processInfo.environment
        environment.merge(try ExampleConfigTests.environment(for: path)) { _, new in new }
        let run = try await BuiltProducts.run("lastmile", ["check", "--config", path], environment: environment)
        #expect(run.status == 0, "\(run.error)")
    }

    @Test func usageErrorsExitTwo() async throws {
        #expect(try await BuiltProducts.run("lastmile", ["check"]).status == 2)
        #expect(try await BuiltProducts.run("lastmile", ["check", "--bogus"]).status == 2)
        #expect(try await BuiltProducts.run("lastmile", ["frobnicate"]).status == 2)
    }
}

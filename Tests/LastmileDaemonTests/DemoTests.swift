import Foundation
import LastmileTestSupport
import Testing

extension WholeSystemSuites {
    @Suite struct DemoTests {
        @Test func theBuiltInConfigurationIsProbesDemoToml() throws {
            let file = try String(contentsOf: BuiltProducts.projectRoot.appendingPathComponent("probes/demo.toml"), encoding: .utf8)
            let source = try String(contentsOf: BuiltProducts.projectRoot.appendingPathComponent("Sources/lastmile/DemoConfiguration.swift"),
                                    encoding: .utf8)
            let start = try #require(source.range(of: "#\"\"\"\n"))
            let end = try #require(source.range(of: "\"\"\"#", options: .backwards))
            #expect(String(source[start.upperBound..<end.lowerBound]) == file)
        }

        @Test func aShortDemoRunsFromAnyDirectoryAndReports() async throws {
            let elsewhere = try TemporaryDirectory()
            let run = try await BuiltProducts.run("lastmile", ["demo", "--duration", "6s", "--listen", "127.0.0.1:0"], directory: elsewhere.url)
            #expect(run.status == 0, "\(run.error)")
            #expect(run.output.contains("metrics:      http://127.0.0.1:"))
            #expect(run.output.contains("Lastmile demo report"))
            for route in ["healthy", "lying", "queued"] { #expect(run.output.contains("\n\(route) "), "no \(route) row") }
            #expect(run.output.contains("Alerts raised"))
        }

        /// The lying route drops a share of accepted messages while its receipts say delivered: within
        /// the demo's first minute the daemon pages, and a webhook added to the demo's file hears it.
        @Test func theLyingRoutePagesWithinAMinuteAndANotifierHearsIt() async throws {
            let recorder = try AlertingTests.Recorder()
            let directory = try TemporaryDirectory()
            var config = try String(contentsOf: BuiltProducts.projectRoot.appendingPathComponent("probes/demo.toml"), encoding: .utf8)
            config += "\n[[alerting.notify]]\nkind = \"webhook\"\nurl = \"http://127.0.0.1:\(recorder.port)/hook\"\n"
            let path = try directory.write("demo.toml", config)
            let run = try await BuiltProducts.run("lastmile", ["demo", "--config", path, "--duration", "60s", "--listen", "127.0.0.1:0"],
                                                  directory: directory.url)
            #expect(run.status == 0, "\(run.error)")
            let hooks = recorder.bodies(at: "/hook").compactMap { $0 as? [String: Any] }
            let lying = hooks.filter { $0["alert"] as? String == "AcceptedButUndelivered" && $0["route"] as? String == "lying" }
            #expect(!lying.isEmpty, "webhook heard: \(hooks)\n\(run.output)")
            #expect(lying.allSatisfy { $0["status"] as? String == "firing" && $0["severity"] as? String == "page" })
            #expect(!hooks.contains { $0["route"] as? String == "healthy" }, "the healthy route must not page")
            #expect(run.output.contains("firing page AcceptedButUndelivered: lying × "))
            #expect(run.output.contains("of accepted messages never arrived in the last 2m"))
        }
    }
}

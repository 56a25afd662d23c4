import Foundation
import LastmileTestSupport
import Testing

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
        #expect(run.output.contains("Alerts raised:"))
    }
}

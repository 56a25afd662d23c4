import Foundation
import LastmileTestSupport
import Testing

/// The shipped unit file is one systemd accepts as it is.
@Suite struct DeploymentTests {
    static let unit = BuiltProducts.projectRoot.appendingPathComponent("deploy/lastmile.service")

    @Test func theUnitIsHardenedAndNotifies() throws {
        let text = try String(contentsOf: Self.unit, encoding: .utf8)
        for line in ["Type=notify", "DynamicUser=yes", "StateDirectory=lastmile", "ProtectSystem=strict", "NoNewPrivileges=yes",
                     "WatchdogSec=", "ExecReload=/bin/kill -HUP $MAINPID", "PrivateTmp=yes", "CapabilityBoundingSet="] {
            #expect(text.contains(line), "missing \(line)")
        }
    }

    @Test func systemdAnalyzeVerifyIsClean() async throws {
        let analyze = "/usr/bin/systemd-analyze"
        guard FileManager.default.isExecutableFile(atPath: analyze) else {
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "systemd-analyze is missing under CI")
            return
        }
        // Point the unit at the binary just built, in a folder of its own.
        let directory = try TemporaryDirectory()
        let binary = BuiltProducts.executable("lastmile").path
        let text = try String(contentsOf: Self.unit, encoding: .utf8).replacingOccurrences(of: "/usr/bin/lastmile", with: binary)
        let path = try directory.write("lastmile.service", text)
        let run = try await BuiltProducts.run(executable: URL(fileURLWithPath: analyze), ["verify", path])
        let report = run.output + run.error
        #expect(run.status == 0, "\(report)")
        #expect(!report.contains("lastmile.service"), "\(report)")
    }
}

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
        /// At 45 s one phone goes silent: one `ReceiverSilent` names it, and no route pages for its
        /// carrier after that.
        @Test func theLyingRoutePagesWithinAMinuteAndASilentPhoneIsBlamed() async throws {
            let recorder = try AlertingTests.Recorder()
            let directory = try TemporaryDirectory()
            var config = try String(contentsOf: BuiltProducts.projectRoot.appendingPathComponent("probes/demo.toml"), encoding: .utf8)
            config += "\n[[alerting.notify]]\nkind = \"webhook\"\nurl = \"http://127.0.0.1:\(recorder.port)/hook\"\n"
            let path = try directory.write("demo.toml", config)
            let run = try await BuiltProducts.run("lastmile", ["demo", "--config", path, "--duration", "75s", "--listen", "127.0.0.1:0"],
                                                  directory: directory.url)
            #expect(run.status == 0, "\(run.error)")
            let hooks = recorder.bodies(at: "/hook").compactMap { $0 as? [String: Any] }
            let lying = hooks.filter { $0["alert"] as? String == "AcceptedButUndelivered" && $0["route"] as? String == "lying" }
            #expect(!lying.isEmpty, "webhook heard: \(hooks)\n\(run.output)")
            #expect(lying.allSatisfy { $0["status"] as? String == "firing" && $0["severity"] as? String == "page" })
            #expect(!hooks.contains { $0["route"] as? String == "healthy" }, "the healthy route must not page")
            #expect(run.output.contains("firing page AcceptedButUndelivered: lying × "))
            #expect(run.output.contains("accepted canaries since "))
            let fired = run.output.split(separator: "\n").compactMap(Self.firedPage)
            #expect(fired.contains { $0.name == "AcceptedButUndelivered" && $0.subject.hasPrefix("lying × ") && $0.second <= 60 },
                    "\(run.output)")
            let silent = fired.filter { $0.name == "ReceiverSilent" }
            #expect(silent.count == 1 && silent.first?.subject.hasPrefix("receiver phone-tmo ") == true, "\(run.output)")
            #expect(!fired.contains { $0.name == "AcceptedButUndelivered" && $0.subject.hasSuffix("× T-Mobile US") && $0.second >= 45 },
                    "a route paged for the silent phone's carrier: \(run.output)")
            #expect(hooks.contains { $0["alert"] as? String == "ReceiverSilent" && $0["receiver"] as? String == "phone-tmo" })
        }

        /// "[  54s] firing page ReceiverSilent: receiver phone-tmo (…) …" as its second, alert name and subject.
        static func firedPage(_ line: Substring) -> (second: Int, name: String, subject: String)? {
            guard let open = line.firstIndex(of: "["), let close = line.firstIndex(of: "]"), open < close,
                  let second = Int(line[line.index(after: open)..<close].trimmingCharacters(in: .whitespaces).dropLast()) else { return nil }
            let rest = line[line.index(after: close)...].trimmingCharacters(in: .whitespaces)
            guard rest.hasPrefix("firing page "), let colon = rest.firstIndex(of: ":") else { return nil }
            let name = String(rest[rest.index(rest.startIndex, offsetBy: 12)..<colon])
            let subject = rest[rest.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            let end = subject.firstIndex(of: ":") ?? subject.endIndex
            return (second, name, String(subject[..<end]))
        }
    }
}

import Foundation
import LastmileCore
import LastmileTestSupport
import Testing

/// `alerts/`: the Prometheus rules `lastmile rules` prints, checked and unit-tested by promtool,
/// and the example Alertmanager route checked by amtool.
@Suite struct AlertRulesTests {
    static let alerts = BuiltProducts.projectRoot.appendingPathComponent("alerts")

    @Test func theCommittedRulesAreWhatLastmileRulesPrints() async throws {
        let run = try await BuiltProducts.run("lastmile", ["rules", "--config", Self.alerts.appendingPathComponent("slos.toml").path])
        #expect(run.status == 0, "\(run.error)")
        let committed = try String(contentsOf: Self.alerts.appendingPathComponent("lastmile.rules.yml"), encoding: .utf8)
        #expect(run.output == committed, "regenerate with: lastmile rules --config alerts/slos.toml --output alerts/lastmile.rules.yml")
        #expect(committed.contains("- alert: AcceptedButUndelivered"))
    }

    @Test func promtoolChecksAndUnitTestsTheRules() async throws {
        let check = try await Promtool.run(["check", "rules", "lastmile.rules.yml"], directory: Self.alerts)
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.contains("SUCCESS"))
        let test = try await Promtool.run(["test", "rules", "lastmile.rules.test.yml"], directory: Self.alerts)
        #expect(test.status == 0, "\(test.output)")
    }

    @Test func rulesForAConfigurationWithoutSLOsAreRefused() async throws {
        let directory = try TemporaryDirectory()
        var config = try String(contentsOf: Self.alerts.appendingPathComponent("slos.toml"), encoding: .utf8)
        config = String(config[..<config.range(of: "# Accepted by the API")!.lowerBound])
        let path = try directory.write("no-slos.toml", config)
        let run = try await BuiltProducts.run("lastmile", ["rules", "--config", path])
        #expect(run.status == 1)
        #expect(run.error.contains("defines no [[slo]]"))
    }

    @Test func amtoolAcceptsTheExampleAlertmanagerRoute() async throws {
        let amtool = try #require(["/usr/bin/amtool", "/usr/local/bin/amtool"].first { FileManager.default.isExecutableFile(atPath: $0) },
                                  "amtool is not installed (apt-get install prometheus-alertmanager)")
        let run = try await BuiltProducts.run(executable: URL(fileURLWithPath: amtool),
                                              ["check-config", Self.alerts.appendingPathComponent("alertmanager.yml").path])
        #expect(run.status == 0, "\(run.output)\(run.error)")
        // Every page reaches the pager, whether the daemon posts it or the generated rules fire it.
        let pages: [[String]] = [
            ["alertname=ReceiverSilent", "severity=page", "receiver=phone-tmo", "carrier=T-Mobile US"],
            ["alertname=CarrierLoss", "severity=page", "carrier=T-Mobile US"],
            ["alertname=AcceptedButUndelivered", "severity=page", "service=lastmile", "route=r", "carrier=c"],
            ["alertname=DeliveryLate", "severity=page", "route=r", "carrier=c"],
        ]
        for labels in pages {
            let route = try await BuiltProducts.run(executable: URL(fileURLWithPath: amtool), [
                "config", "routes", "test", "--config.file=\(Self.alerts.appendingPathComponent("alertmanager.yml").path)"] + labels)
            #expect(route.output.trimmingCharacters(in: .whitespacesAndNewlines) == "sms-oncall", "\(labels): \(route.output)\(route.error)")
        }
        let ticket = try await BuiltProducts.run(executable: URL(fileURLWithPath: amtool), [
            "config", "routes", "test", "--config.file=\(Self.alerts.appendingPathComponent("alertmanager.yml").path)",
            "alertname=DeliveryLate", "severity=ticket", "route=r", "carrier=c"])
        #expect(ticket.output.trimmingCharacters(in: .whitespacesAndNewlines) == "sms-team")
    }

    @Test func everyGeneratedAlertCarriesTheServiceLabelAndThePendingTime() throws {
        let definitions = [SLODefinition(name: "accepted-delivery", indicator: .acceptedDelivery, objective: 0.99, window: 30 * 86_400)]
        let rules = PrometheusRules(definitions: definitions, evaluator: AlertEvaluator(), detectors: true, pendingFor: 600).render()
        let alerts = rules.components(separatedBy: "      - alert: ").dropFirst()
        #expect(alerts.count >= 4)
        for alert in alerts {
            #expect(alert.contains("\n        for: 10m\n"), "\(alert)")
            #expect(alert.contains("\n          service: \"lastmile\"\n"), "\(alert)")
        }
        let immediate = PrometheusRules(definitions: definitions, evaluator: AlertEvaluator(), detectors: true).render()
        #expect(!immediate.contains("\n        for: "))
    }
}

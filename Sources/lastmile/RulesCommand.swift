import Foundation
import LastmileConfig
import LastmileProviders
import LastmileCore

/// `lastmile rules --config FILE [--output PATH]`: Prometheus rules for the configured SLOs and tiers.
enum RulesCommand {
    static let spec = CommandSpec(
        "rules", synopsis: "--config FILE [--output PATH]",
        summary: "Prints Prometheus recording and alerting rules for the configured SLOs and alert tiers, the same alerts the daemon raises.",
        options: [
            .init("config", "FILE", "the configuration whose [[slo]] and [alerting] shape the rules (required)"),
            .init("output", "PATH", "write the rules to PATH instead of standard output"),
        ])

    static func run(_ arguments: [String]) -> Int32 {
        guard let options = spec.read(arguments) else { return ExitStatus.usage }
        guard let path = options.values["config"] else { return spec.usageError("--config is required") }
        let result = ConfigLoader.load(path: path, catalogue: .standard)
        for diagnostic in result.diagnostics { Output.error(diagnostic.description) }
        guard let configuration = result.configuration else { return ExitStatus.failure }
        if configuration.slos.isEmpty {
            Output.error("lastmile rules: \(path) defines no [[slo]]; there is nothing to alert on")
            return ExitStatus.failure
        }
        let rules = PrometheusRules(definitions: configuration.sloDefinitions, evaluator: configuration.alertEvaluator,
                                    detectors: configuration.alerting.detectors, pendingFor: configuration.alerting.pendingFor).render()
        guard let output = options.values["output"] else {
            Output.write(rules)
            return ExitStatus.success
        }
        do {
            try rules.write(toFile: output, atomically: true, encoding: .utf8)
        } catch {
            Output.error("lastmile rules: cannot write \(output): \(error)")
            return ExitStatus.failure
        }
        return ExitStatus.success
    }
}

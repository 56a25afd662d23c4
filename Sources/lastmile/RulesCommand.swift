import Foundation
import LastmileConfig
import LastmileProviders
import LastmileCore

/// `lastmile rules --config FILE [--output PATH]`: Prometheus rules for the configured SLOs and tiers.
enum RulesCommand {
    static let usage = "usage: lastmile rules --config FILE [--output PATH]"

    static func run(_ arguments: [String]) -> Int32 {
        let options: OptionParser
        do {
            options = try OptionParser(arguments, valued: ["config", "output"])
        } catch {
            Output.error("lastmile rules: \(error)\n\(usage)")
            return 2
        }
        guard let path = options.values["config"] else {
            Output.error(usage)
            return 2
        }
        let result = ConfigLoader.load(path: path, catalogue: .standard)
        for diagnostic in result.diagnostics { Output.error(diagnostic.description) }
        guard let configuration = result.configuration else { return 1 }
        if configuration.slos.isEmpty {
            Output.error("lastmile rules: \(path) defines no [[slo]]; there is nothing to alert on")
            return 1
        }
        let rules = PrometheusRules(definitions: configuration.sloDefinitions, evaluator: configuration.alertEvaluator).render()
        guard let output = options.values["output"] else {
            Output.write(rules)
            return 0
        }
        do {
            try rules.write(toFile: output, atomically: true, encoding: .utf8)
        } catch {
            Output.error("lastmile rules: cannot write \(output): \(error)")
            return 1
        }
        return 0
    }
}

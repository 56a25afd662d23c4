import Foundation
import LastmileConfig
import LastmileProviders
import LastmileViews

/// `lastmile check --config FILE`: exit 0 with a summary, or 1 with every error.
enum CheckCommand {
    static let spec = CommandSpec(
        "check", synopsis: "--config FILE",
        summary: "Validates a configuration and its includes, naming every problem at file:line:column, and summarises what it will do: "
            + "canaries and cost per day, and how fast its alerts can page.",
        options: [.init("config", "FILE", "the main configuration file (required)")])

    static func run(_ arguments: [String]) -> Int32 {
        guard let options = spec.read(arguments) else { return ExitStatus.usage }
        guard let path = options.values["config"] else { return spec.usageError("--config is required") }
        let result = ConfigLoader.load(path: path, catalogue: .standard)
        for diagnostic in result.diagnostics {
            Output.error(diagnostic.description)
        }
        guard let configuration = result.configuration else {
            Output.error("\(path): \(result.errors.count) error\(result.errors.count == 1 ? "" : "s"); the configuration is not valid")
            return ExitStatus.failure
        }
        let included = configuration.files.count - 1
        Output.write("\(path): OK" + (included > 0 ? " (with \(included) included file\(included == 1 ? "" : "s"))" : ""))
        for refusing in ProviderRegistry.standard.refusingHooks(in: configuration) {
            Output.error("warning: \(refusing.hook) will refuse every call: \(refusing.reason)")
        }
        Output.write(ConfigSummary(configuration).text)
        Output.write(DetectionOutlook(configuration).text)
        return ExitStatus.success
    }
}

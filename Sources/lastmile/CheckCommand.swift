import Foundation
import LastmileConfig
import LastmileProviders
import LastmileViews

/// `lastmile check --config FILE`: exit 0 with a summary, or 1 with every error.
enum CheckCommand {
    static func run(_ arguments: [String]) -> Int32 {
        let options: OptionParser
        do {
            options = try OptionParser(arguments, valued: ["config"])
        } catch {
            Output.error("lastmile check: \(error)")
            return 2
        }
        guard let path = options.values["config"] else {
            Output.error("usage: lastmile check --config FILE")
            return 2
        }
        let result = ConfigLoader.load(path: path, catalogue: .standard)
        for diagnostic in result.diagnostics {
            Output.error(diagnostic.description)
        }
        guard let configuration = result.configuration else {
            Output.error("\(path): \(result.errors.count) error\(result.errors.count == 1 ? "" : "s"); the configuration is not valid")
            return 1
        }
        let included = configuration.files.count - 1
        Output.write("\(path): OK" + (included > 0 ? " (with \(included) included file\(included == 1 ? "" : "s"))" : ""))
        Output.write(ConfigSummary(configuration).text)
        Output.write(DetectionOutlook(configuration).text)
        return 0
    }
}

import Foundation
import LastmileConfig
import LastmileProviders

/// The store a reading command opens: `--store PATH`, or the one `--config FILE` names (the
/// configuration is kept, for what else it says).
struct StoreSource {
    var path: String
    var configuration: LastmileConfiguration?

    /// Nil, with the problem already told and the exit status set, when neither option leads to a store.
    static func resolve(_ options: OptionParser, spec: CommandSpec, exitStatus: inout Int32) -> StoreSource? {
        var configuration: LastmileConfiguration?
        if let config = options.values["config"] {
            let loaded = ConfigLoader.load(path: config, catalogue: .standard)
            guard let loadedConfiguration = loaded.configuration else {
                for error in loaded.errors { Output.error(error.description) }
                exitStatus = ExitStatus.failure
                return nil
            }
            configuration = loadedConfiguration
        }
        guard let path = options.values["store"] ?? configuration?.store.path else {
            exitStatus = spec.usageError("give --config FILE or --store PATH")
            return nil
        }
        return StoreSource(path: path, configuration: configuration)
    }

    /// Whether the store file is there; says so when it is not.
    func exists(command: String) -> Bool {
        guard FileManager.default.fileExists(atPath: path) else {
            Output.error("lastmile \(command): no store at \(path)")
            return false
        }
        return true
    }
}

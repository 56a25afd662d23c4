import Foundation
import LastmileConfig
import LastmileProviders
import LastmileStore

/// The store a reading command opens: `--store PATH` (or `--store postgresql://…`), or the one
/// `--config FILE` names (the configuration is kept, for what else it says).
struct StoreSource {
    var location: StoreLocation
    var configuration: LastmileConfiguration?

    /// The file, or the server's address without its password, for messages.
    var path: String { location.description }

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
        let configured = configuration.map { configuration -> StoreLocation in
            configuration.store.url.map { .postgres(url: $0.reveal()) } ?? .file(configuration.store.path)
        }
        guard let location = options.values["store"].map(StoreLocation.init) ?? configured else {
            exitStatus = spec.usageError("give --config FILE or --store PATH")
            return nil
        }
        return StoreSource(location: location, configuration: configuration)
    }

    /// Opens the store.
    func open() throws -> CanaryStore {
        try CanaryStore(location: location)
    }

    /// Whether the store file is there (a server is asked when opened); says so when it is not.
    func exists(command: String) -> Bool {
        guard case .file(let path) = location else { return true }
        guard FileManager.default.fileExists(atPath: path) else {
            Output.error("lastmile \(command): no store at \(path)")
            return false
        }
        return true
    }
}

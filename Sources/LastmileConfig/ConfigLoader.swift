import Foundation
import Glibc
import TOML

/// The outcome of loading a configuration: the configuration when there were no
/// errors, and every diagnostic found (errors and warnings), in file order.
public struct ConfigLoadResult: Sendable {
    public var configuration: LastmileConfiguration?
    public var diagnostics: [ConfigDiagnostic]

    public init(configuration: LastmileConfiguration?, diagnostics: [ConfigDiagnostic]) {
        self.configuration = configuration
        self.diagnostics = diagnostics
    }

    public var errors: [ConfigDiagnostic] { diagnostics.filter { $0.severity == .error } }
    public var warnings: [ConfigDiagnostic] { diagnostics.filter { $0.severity == .warning } }
}

/// Reads a main config file and its includes, and validates all of it at once.
public enum ConfigLoader {
    /// Sections only the main file may hold.
    static let mainOnlySections = ["include", "server", "store", "defaults", "alerting", "metrics", "cluster"]
    /// Sections any file may hold.
    static let sharedSections = ["route", "receiver", "probe", "slo"]

    /// Loads `path`, whose routes and receivers may name what `catalogue` holds. Secrets are
    /// resolved from `environment` and the file system.
    public static func load(path: String, catalogue: ProviderCatalogue,
                            environment: [String: String] = ProcessInfo.processInfo.environment) -> ConfigLoadResult {
        switch BoundedFile.read(path, limit: BoundedFile.configurationLimit) {
        case .success(let text):
            return load(text: text, path: path, catalogue: catalogue, environment: environment)
        case .failure(let failure):
            let diagnostic = ConfigDiagnostic(.error, file: path, position: TOMLPosition(line: 1, column: 1),
                                              message: failure.message(about: "config file"))
            return ConfigLoadResult(configuration: nil, diagnostics: [diagnostic])
        }
    }

    /// Loads a main file whose bytes are already read.
    public static func load(text: [UInt8], path: String, catalogue: ProviderCatalogue,
                            environment: [String: String]) -> ConfigLoadResult {
        let log = DiagnosticLog()
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        var files = [path]
        var readers: [TableReader] = []
        var mainReader: TableReader?
        if let table = decode(text, file: path, log: log) {
            let main = TableReader(table, context: "the main file", file: path, log: log)
            mainReader = main
            readers.append(main)
            for included in includedFiles(of: main, directory: directory) {
                files.append(included)
                let data: [UInt8]
                switch BoundedFile.read(included, limit: BoundedFile.configurationLimit) {
                case .success(let bytes): data = bytes
                case .failure(let failure):
                    log.error(failure.message(about: "included file"), at: SourceLocation(file: included, position: TOMLPosition(line: 1, column: 1)))
                    continue
                }
                if let table = decode(data, file: included, log: log) {
                    readers.append(TableReader(table, context: "the included file", file: included, log: log))
                }
            }
        }
        let assembler = ConfigAssembler(log: log, environment: environment, directory: directory, catalogue: catalogue)
        let configuration = assembler.assemble(main: mainReader, all: readers, files: files)
        let diagnostics = log.entries.sorted { lhs, rhs in
            let left = files.firstIndex(of: lhs.file) ?? files.count, right = files.firstIndex(of: rhs.file) ?? files.count
            return left != right ? left < right : lhs < rhs
        }
        return ConfigLoadResult(configuration: log.hasErrors ? nil : configuration, diagnostics: diagnostics)
    }

    static func decode(_ bytes: [UInt8], file: String, log: DiagnosticLog) -> TOMLTable? {
        do {
            return try TOMLDecoder.decode(bytes: bytes)
        } catch {
            log.error(error.message, at: SourceLocation(file: file, position: error.position))
            return nil
        }
    }

    /// Expands `include = [...]` globs relative to the main file, sorted within each pattern.
    static func includedFiles(of main: TableReader, directory: URL) -> [String] {
        guard let patterns = main.stringArray("include") else { return [] }
        var files: [String] = []
        for pattern in patterns {
            let absolute = pattern.value.hasPrefix("/") ? pattern.value : directory.appendingPathComponent(pattern.value).path
            let matches = glob(absolute)
            let isPattern = pattern.value.contains { "*?[".contains($0) }
            if matches.isEmpty && !isPattern {
                main.log.error("include: the file \(absolute) does not exist", at: pattern.location)
            }
            for match in matches where !files.contains(match) { files.append(match) }
        }
        return files
    }

    static func glob(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard Glibc.glob(pattern, 0, nil, &result) == 0 else { return [] }
        return (0..<Int(result.gl_pathc)).compactMap { index in
            result.gl_pathv[index].map { String(cString: $0) }
        }.sorted()
    }
}

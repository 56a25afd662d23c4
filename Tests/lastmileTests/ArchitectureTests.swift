import Foundation
import LastmileTestSupport
import Testing

/// Each module imports only what docs/architecture.md allows it.
@Suite struct ArchitectureTests {
    static let systemModules: Set<String> = ["Foundation", "FoundationNetworking", "FoundationXML", "Glibc", "Dispatch",
                                             "Synchronization", "Testing"]

    /// The table under "Which module may import which": module → allowed imports.
    static func allowedImports() throws -> [String: Set<String>] {
        let text = try String(contentsOf: BuiltProducts.projectRoot.appendingPathComponent("docs/architecture.md"), encoding: .utf8)
        guard let start = text.range(of: "| module | may import |") else { return [:] }
        var table: [String: Set<String>] = [:]
        for line in text[start.upperBound...].split(separator: "\n").dropFirst() {
            guard line.hasPrefix("|") else { break }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 3 else { continue }
            let module = cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            table[module] = Set(cells[2].split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " `")) }
                .filter { !$0.isEmpty })
        }
        return table
    }

    @Test func everyModuleImportsOnlyWhatItMay() throws {
        let table = try Self.allowedImports()
        let sources = BuiltProducts.projectRoot.appendingPathComponent("Sources")
        // System-library targets (CSQLite, CCrypto) are a module map, not Swift.
        let modules = try FileManager.default.contentsOfDirectory(atPath: sources.path).filter { module in
            !FileManager.default.fileExists(atPath: sources.appendingPathComponent(module).appendingPathComponent("module.modulemap").path)
        }
        #expect(modules.count >= 10, "\(modules)")
        for module in modules {
            let allowed = try #require(table[module], "docs/architecture.md does not say what \(module) may import")
            let folder = sources.appendingPathComponent(module)
            guard let files = FileManager.default.enumerator(atPath: folder.path) else { continue }
            for case let file as String in files where file.hasSuffix(".swift") {
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                for line in text.split(separator: "\n") where line.hasPrefix("import ") || line.hasPrefix("@testable import ") {
                    let imported = String(line.split(separator: " ").last ?? "")
                    if Self.systemModules.contains(imported) { continue }
                    #expect(allowed.contains(imported), "\(module)/\(file) imports \(imported), which docs/architecture.md does not allow")
                }
            }
        }
    }
}

import Foundation
import LastmileCore
import LastmileTestSupport
import Testing
@testable import LastmileProviders

/// README.md's status mapping is the code's, word for word.
@Suite struct ReadmeTableTests {
    @Test func everyMappingIsDocumented() throws {
        let readme = try String(contentsOf: BuiltProducts.projectRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let columns: [ReceiptStatus] = [.pending, .delivered, .undelivered, .failed, .rejected, .expired, .deleted]
        for table in ProviderRegistry.standard.statusTables {
            let row = try #require(readme.split(separator: "\n").first { $0.hasPrefix("| \(table.provider)") }, "no row for \(table.provider)")
            let cells = row.split(separator: "|", omittingEmptySubsequences: false).dropFirst(2).map {
                Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty })
            }
            for entry in table.entries where entry.status != .unknown {
                let column = try #require(columns.firstIndex(of: entry.status))
                #expect(cells[column].contains(entry.word.lowercased()), "\(table.provider): \(entry.word) → \(entry.status)")
            }
        }
    }
}

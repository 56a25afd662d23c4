import Foundation
import Testing
import LastmileBase

@Suite struct ProcFileTests {
    /// A test process maps well over a page of lines; reading stops only at the end.
    @Test func aProcFileIsReadPastItsFirstPage() throws {
        let text = try #require(ProcFile.text("/proc/self/maps"))
        #expect(text.utf8.count > 2 * 4_096)
        #expect(text.hasSuffix("\n"))
        let lines = text.split(separator: "\n")
        #expect(lines.allSatisfy { $0.prefix { $0 != " " }.split(separator: "-").count == 2 })
    }

    @Test func aMissingFileIsNil() {
        #expect(ProcFile.text("/proc/self/no-such-file") == nil)
    }
}

import Foundation
import Testing
import TOML

/// Every case of the shared toml-test suite, run in place.
@Suite struct ConformanceTests {
    @Test func theSuiteIsPresent() {
        #expect(TOMLTestSuite.cases("valid").count > 100, "missing \(TOMLTestSuite.root.path)")
        #expect(TOMLTestSuite.cases("invalid").count > 300, "missing \(TOMLTestSuite.root.path)")
    }

    @Test(arguments: TOMLTestSuite.cases("valid"))
    func validCaseDecodesToTheExpectedValue(name: String) throws {
        let source = try Data(contentsOf: TOMLTestSuite.url("valid", name))
        let expectedURL = TOMLTestSuite.url("valid", String(name.dropLast(5)) + ".json")
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: expectedURL), options: [.fragmentsAllowed])
        let table: TOMLTable
        do {
            table = try TOMLDecoder.decode(bytes: Array(source))
        } catch {
            Issue.record("\(name) was rejected: \(error)")
            return
        }
        let actual = try JSONSerialization.jsonObject(with: Data(table.taggedJSON.utf8), options: [.fragmentsAllowed])
        #expect(TOMLTestSuite.equivalent(actual, expected), "\(name) decoded to \(table.taggedJSON)")
    }

    @Test(arguments: TOMLTestSuite.cases("invalid"))
    func invalidCaseIsRejected(name: String) throws {
        let source = try Data(contentsOf: TOMLTestSuite.url("invalid", name))
        #expect(throws: TOMLError.self, "\(name) was accepted") {
            try TOMLDecoder.decode(bytes: Array(source))
        }
    }
}

import Foundation
import LastmileTestSupport
import Testing

/// `toml-decode` speaks the public toml-test decoder interface.
@Suite struct DecodeCommandTests {
    @Test func aValidFileBecomesTaggedJSON() async throws {
        let run = try await BuiltProducts.run(executable: BuiltProducts.executable("toml-decode"), [],
                                              input: "title = \"x\"\n[owner]\ndob = 1979-05-27T07:32:00-08:00\nn = [1, 2.5]\n")
        #expect(run.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
        #expect((object["title"] as? [String: String]) == ["type": "string", "value": "x"])
        let owner = try #require(object["owner"] as? [String: Any])
        #expect((owner["dob"] as? [String: String]) == ["type": "datetime", "value": "1979-05-27T07:32:00-08:00"])
        let numbers = try #require(owner["n"] as? [[String: String]])
        #expect(numbers == [["type": "integer", "value": "1"], ["type": "float", "value": "2.5"]])
        #expect(run.error.isEmpty)
    }

    @Test func anInvalidFileIsAnErrorOnStandardErrorAndExitOne() async throws {
        let run = try await BuiltProducts.run(executable: BuiltProducts.executable("toml-decode"), [], input: "a = 1\na = 2\n")
        #expect(run.status == 1)
        #expect(run.output.isEmpty)
        #expect(run.error.contains("2:1: the key a is already defined"))
    }
}

import Testing
@testable import lastmile

/// The command line's option reading.
@Suite struct OptionParserTests {
    @Test func valuesFlagsAndPositionalArgumentsAreRead() throws {
        let options = try OptionParser(["--config", "a.toml", "--format=json", "--json", "c0ffee"], valued: ["config", "format"],
                                       flagNames: ["json"])
        #expect(options.values == ["config": "a.toml", "format": "json"])
        #expect(options.flags == ["json"])
        #expect(options.positional == ["c0ffee"])
    }

    @Test func anUnknownOptionNamesItself() {
        #expect(throws: OptionError.self) { try OptionParser(["--colour"], valued: ["config"]) }
        do {
            _ = try OptionParser(["--colour"], valued: ["config"])
        } catch {
            #expect(error.description.contains("--colour"))
        }
    }

    @Test func aValuedOptionWithoutItsValueIsAnError() {
        do {
            _ = try OptionParser(["--config"], valued: ["config"])
            Issue.record("--config without a value was accepted")
        } catch {
            #expect(error.description.contains("needs a value"))
        }
    }

    @Test func aFlagGivenAValueIsRefused() {
        #expect(throws: OptionError.self) { try OptionParser(["--json=yes"], valued: [], flagNames: ["json"]) }
    }
}

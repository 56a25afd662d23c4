import Foundation
import LastmileTestSupport
import Testing
@testable import lastmile

/// Every command explains itself: `--help` lists each option its parser accepts, the manual and
/// the completion script are made from the same specs, and mistakes point at `--help`.
@Suite struct HelpTests {
    static let names = LastmileCommand.commands.map(\.spec.name)

    @Test(arguments: names)
    func helpListsEveryOptionAndExitsZero(name: String) async throws {
        let spec = try #require(LastmileCommand.entry(named: name)?.spec)
        let help = try await BuiltProducts.run("lastmile", [name, "--help"])
        #expect(help.status == 0, "\(help.error)")
        #expect(help.output.hasPrefix(spec.usage))
        for option in spec.options {
            #expect(!option.help.isEmpty, "--\(option.name) has no help")
            #expect(help.output.contains(option.usage), "--help of \(name) does not list \(option.usage)")
            #expect(help.output.contains(option.help))
        }
        let viaHelp = try await BuiltProducts.run("lastmile", ["help", name])
        #expect(viaHelp.status == 0 && viaHelp.output == help.output)
    }

    @Test func theParserAcceptsExactlyTheDocumentedOptions() throws {
        for spec in LastmileCommand.commands.map(\.spec) {
            for option in spec.options {
                let arguments = option.value == nil ? ["--\(option.name)"] : ["--\(option.name)", "x"]
                #expect(throws: Never.self, "\(spec.name) refuses its own --\(option.name)") { try spec.parse(arguments) }
            }
            #expect(throws: OptionError.self) { try spec.parse(["--not-an-option-of-\(spec.name)"]) }
        }
    }

    @Test func anUnknownOptionNamesItselfAndPointsAtHelp() async throws {
        let run = try await BuiltProducts.run("lastmile", ["report", "--store", "/nonexistent.db", "--colour"])
        #expect(run.status == 2)
        #expect(run.error.contains("--colour"))
        #expect(run.error.contains("lastmile report --help"))
        #expect(try await BuiltProducts.run("lastmile", ["frobnicate"]).status == 2)
        let list = try await BuiltProducts.run("lastmile", ["--help"])
        #expect(list.status == 0)
        for name in Self.names { #expect(list.output.contains("  \(name) ")) }
    }

    @Test func theManPageIsTheHelpTextAndIsCommitted() async throws {
        let run = try await BuiltProducts.run("lastmile", ["help", "--man"])
        #expect(run.status == 0)
        let committed = try String(contentsOf: BuiltProducts.projectRoot.appendingPathComponent("deploy/lastmile.1"), encoding: .utf8)
        #expect(run.output == committed, "regenerate with: lastmile help --man > deploy/lastmile.1")
        for spec in LastmileCommand.commands.map(\.spec) {
            #expect(committed.contains(ManPage.text(spec.summary)), "the manual lacks \(spec.name)'s summary")
            for option in spec.options { #expect(committed.contains(ManPage.text(option.help))) }
        }
    }

    @Test func bashCompletesCommandsOptionsAndValues() async throws {
        let run = try await BuiltProducts.run("lastmile", ["completion", "bash"])
        #expect(run.status == 0)
        let path = BuiltProducts.projectRoot.appendingPathComponent("deploy/lastmile.bash-completion").path
        let committed = try String(contentsOfFile: path, encoding: .utf8)
        #expect(run.output == committed, "regenerate with: lastmile completion bash > deploy/lastmile.bash-completion")
        func complete(_ words: [String]) async throws -> [String] {
            let script = "source '\(path)'; COMP_WORDS=(\(words.map { "'\($0)'" }.joined(separator: " "))); "
                + "COMP_CWORD=\(words.count - 1); _lastmile; printf '%s\\n' \"${COMPREPLY[@]}\""
            let result = try await BuiltProducts.run(executable: URL(fileURLWithPath: "/bin/bash"), ["-c", script])
            #expect(result.status == 0, "\(result.error)")
            return result.output.split(separator: "\n").map(String.init)
        }
        #expect(try await complete(["lastmile", "rep"]) == ["report"])
        #expect(Set(try await complete(["lastmile", "report", "--f"])) == ["--from", "--format", "--fail-on-breach"])
        #expect(Set(try await complete(["lastmile", "report", "--format", ""])) == ["text", "markdown", "json", "csv", "html"])
        #expect(Set(try await complete(["lastmile", "run", "--log-level", "d"])) == ["debug"])
    }
}

import Foundation
import HTTP
import LastmileCore
import Testing
@testable import LastmileProviders

@Suite struct JSONReaderTests {
    static func read(_ text: String) throws -> JSONValue { try JSONReader.read(Array(text.utf8)) }

    static let valid: [(text: String, value: JSONValue)] = [
        (#"{"a": "b", "n": 1, "t": true, "f": false, "z": null}"#,
         .object(["a": .string("b"), "n": .number("1"), "t": .bool(true), "f": .bool(false), "z": .null])),
        (" \t\r\n[ ] ", .array([])),
        ("{}", .object([:])),
        (#"[1, -0.5, 2E+3, 0, -0, 1e-2]"#, .array([.number("1"), .number("-0.5"), .number("2E+3"), .number("0"), .number("-0"), .number("1e-2")])),
        (#""\"\\\/\b\f\n\r\t""#, .string("\"\\/\u{8}\u{c}\n\r\t")),
        (#""caf\u00e9 \u20AC \ud83d\ude00""#, .string("café € 😀")),
        ("\"直接 UTF-8 😀\"", .string("直接 UTF-8 😀")),
        (#"{"a": 1, "a": 2}"#, .object(["a": .number("2")])),
        (#"{"messages": [{"id": "m1"}, {"id": 12345678901234567890}]}"#,
         .object(["messages": .array([.object(["id": .string("m1")]), .object(["id": .number("12345678901234567890")])])])),
        ("\u{FEFF}{\"a\": []}", .object(["a": .array([])])),
        ("7", .number("7")),
    ]

    @Test(arguments: valid.indices)
    func readsValidText(index: Int) throws {
        let (text, value) = Self.valid[index]
        #expect(try Self.read(text) == value, "\(text)")
    }

    static let invalid: [String] = [
        "", " ", "{", "[", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a: 1}", "{'a': 1}", "[1 2]", "01", "-", "1.", ".5", "+1",
        "1e", "1e+", "0x10", "NaN", "Infinity", "tru", "nul", "True", "\"abc", "\"a\tb\"", "\"\\x\"", "\"\\u12G4\"", "\"\\u12\"",
        "\"\\ud83d\"", "\"\\ud83d\\u0041\"", "\"\\ude00\"", "[1] [2]", "{} x", "// c\n{}", "[1,,2]", "{\"a\":}", "{,}", "1e400", "[-1e309]",
        "1" + String(repeating: "0", count: 400),
    ]

    @Test(arguments: invalid)
    func refusesInvalidText(text: String) {
        #expect(throws: JSONReader.Failure.self, "\(text.debugDescription)") { try Self.read(text) }
    }

    @Test func refusesBytesThatAreNotUTF8AndSaysWhere() {
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x7B, 0x22, 0x61, 0x80, 0x22, 0x3A, 0x31, 0x7D]] {
            #expect(throws: JSONReader.Failure.self) { try JSONReader.read(bytes) }
        }
        do {
            _ = try JSONReader.read(Array("[1, 2, x]".utf8))
            Issue.record("read an invalid text")
        } catch {
            #expect(error.offset == 7)
            #expect(error.description == "unexpected character at byte 7")
        }
    }

    @Test func nestingIsBoundedAndNeverExhaustsTheStack() throws {
        let deepest = String(repeating: "[", count: JSONReader.maximumDepth) + String(repeating: "]", count: JSONReader.maximumDepth)
        #expect(throws: Never.self) { try Self.read(deepest) }
        let deeper = "[" + deepest + "]"
        #expect(throws: JSONReader.Failure.self) { try Self.read(deeper) }
        // Many small objects cost their members, not a reserved table each.
        let many = try JSONReader.read(Array(("[" + Array(repeating: "{\"a\":0}", count: 10_000).joined(separator: ",") + "]").utf8))
        if case .array(let objects) = many, case .object(let first)? = objects.first {
            #expect(objects.count == 10_000 && first.capacity < 8)
        } else {
            Issue.record("not read as an array of objects")
        }
        // A megabyte of openings: refused at the first one too many, not after a million frames.
        for opening in ["[", "{\"a\":"] {
            let flood = Array(String(repeating: opening, count: 1 << 20).utf8)
            do {
                _ = try JSONReader.read(flood)
                Issue.record("read a flood of \(opening)")
            } catch {
                #expect(error.reason == "nested deeper than \(JSONReader.maximumDepth)")
            }
        }
    }

    @Test func numbersReadAsTheTextTheyWereWritten() throws {
        let value = try Self.read(#"{"a": 42, "b": 1.0, "c": 2e3, "d": 3.25, "e": 12345678901234567890, "f": true, "g": null, "h": [1]}"#)
        #expect(value.value(at: "a")?.text == "42")
        #expect(value.value(at: "b")?.text == "1")
        #expect(value.value(at: "c")?.text == "2000")
        #expect(value.value(at: "d")?.text == "3.25")
        #expect(value.value(at: "e")?.text == "12345678901234567890")
        #expect(value.value(at: "f")?.text == "true")
        #expect(value.value(at: "g") == .null && value.value(at: "g")?.text == nil)
        #expect(value.value(at: "h")?.text == nil)
        #expect(value.value(at: "h.0")?.text == "1")
        #expect(value.value(at: "h.1") == nil && value.value(at: "a.b") == nil)
    }

    /// Random documents, written out by Foundation, read back to the same leaves.
    @Test func agreesWithFoundationOnRandomDocuments() throws {
        var random = SeededRandom(seed: 11)
        func document(depth: Int) -> Any {
            switch depth > 3 ? Int.random(in: 2...5, using: &random) : Int.random(in: 0...5, using: &random) {
            case 0: return (0..<Int.random(in: 0...4, using: &random)).map { _ in document(depth: depth + 1) }
            case 1:
                var members: [String: Any] = [:]
                for index in 0..<Int.random(in: 0...4, using: &random) { members["k\(index)\u{e9}"] = document(depth: depth + 1) }
                return members
            case 2: return String((0..<Int.random(in: 0...12, using: &random)).map { _ in
                    Character(Unicode.Scalar([0x41, 0x22, 0x5C, 0x0A, 0x01, 0xE9, 0x20AC, 0x1F600].randomElement(using: &random)!)!)
                })
            case 3: return Int.random(in: -1_000_000...1_000_000, using: &random)
            case 4: return Bool.random(using: &random)
            default: return NSNull()
            }
        }
        func leaves(_ value: JSONValue, _ path: String, into found: inout [String: String]) {
            switch value {
            case .object(let members): for (name, member) in members { leaves(member, path + "/" + name, into: &found) }
            case .array(let elements): for (index, element) in elements.enumerated() { leaves(element, path + "/\(index)", into: &found) }
            default: found[path] = value.text ?? "null"
            }
        }
        func foundationLeaves(_ value: Any, _ path: String, into found: inout [String: String]) {
            switch value {
            case let members as [String: Any]: for (name, member) in members { foundationLeaves(member, path + "/" + name, into: &found) }
            case let elements as [Any]: for (index, element) in elements.enumerated() { foundationLeaves(element, path + "/\(index)", into: &found) }
            default: found[path] = JSONPath.text(value) ?? "null"
            }
        }
        for _ in 0..<300 {
            let object: Any = [document(depth: 0)]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted])
            var ours: [String: String] = [:], theirs: [String: String] = [:]
            leaves(try JSONReader.read(Array(data)), "", into: &ours)
            foundationLeaves(try JSONSerialization.jsonObject(with: data), "", into: &theirs)
            #expect(ours == theirs, "\(String(decoding: data, as: UTF8.self))")
        }
    }

    @Test func aReportThatIsNotJSONSaysWhy() {
        let request = HTTPRequest(head: HTTPRequestHead(method: "POST", target: "/hook", headers: HTTPHeaders([("Content-Type", "application/json")])),
                                  body: Array(#"{"body": "x", "from": }"#.utf8))
        #expect(throws: ReportError.malformed("the body is not valid JSON (unexpected character at byte 22)")) {
            _ = try ReportFields.read(request)
        }
    }
}

import Foundation
import Testing
import TOML

@Suite struct DecoderErrorTests {
    func error(_ text: String) -> TOMLError? {
        do {
            _ = try TOMLDecoder.decode(text)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        ("a = 1\nb = \n", 2, 5, "expected a value"),
        ("a = 1\na = 2\n", 2, 1, "already defined"),
        ("[t]\n[t]\n", 2, 1, "already defined"),
        ("x = \"abc\n", 1, 9, "newline in a single-line string"),
        ("x = 0123\n", 1, 5, "leading zeros"),
        ("x = 9223372036854775808\n", 1, 5, "out of the 64-bit integer range"),
        ("x = 1979-02-30\n", 1, 5, "does not exist"),
        ("x = { a = 1, }\n", 1, 14, "trailing comma"),
        ("a = [1, 2\n", 2, 1, "expected ',' or ']'"),
        ("k = \"\\q\"\n", 1, 6, "invalid escape"),
        ("a = 1 b = 2\n", 1, 7, "expected a newline"),
        ("a = [] \n[[a]]\n", 2, 1, "static array"),
        ("é = 1\n", 1, 1, "invalid character"),
        ("a = \"ünï\" x\n", 1, 11, "expected a newline"),
        // A byte-order mark is no column.
        ("\u{FEFF}a = ?\n", 1, 5, "expected a value"),
        ("a = [1, 2, 3, 4, 5, 6, 7, 8, 9, x]\n", 1, 33, "expected a value"),
    ] as [(String, Int, Int, String)])
    func errorsSayWhereAndWhat(text: String, line: Int, column: Int, message: String) throws {
        let failure = try #require(error(text))
        #expect(failure.position == TOMLPosition(line: line, column: column), "\(failure)")
        #expect(failure.message.contains(message), "\(failure)")
    }

    @Test func invalidUTF8IsReportedWhereItStarts() throws {
        let bytes = Array("a = \"ok\"\nb = \"".utf8) + [0xC3, 0x28] + Array("\"\n".utf8)
        do {
            _ = try TOMLDecoder.decode(bytes: bytes)
            Issue.record("accepted invalid UTF-8")
        } catch {
            #expect(error.position == TOMLPosition(line: 2, column: 6))
            #expect(error.message == "invalid UTF-8")
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let depth = 100_000
        let arrays = "x = " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(error(arrays)?.message.contains("nest deeper") == true)
        let tables = "x = " + String(repeating: "{a=", count: depth) + "1" + String(repeating: "}", count: depth)
        #expect(error(tables)?.message.contains("nest deeper") == true)
        let allowed = "x = " + String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(error(allowed) == nil)
    }

    @Test func deepDottedKeysAndHeadersAreLocatedErrorsNotCrashes() {
        let depth = 300_000
        let dotted = error(String(repeating: "a.", count: depth) + "a = 1")
        #expect(dotted?.message.contains("more than 100 dotted parts") == true)
        #expect(dotted?.position.line == 1)
        let header = error("[" + String(repeating: "a.", count: depth) + "a]\nx = 1")
        #expect(header?.message.contains("more than 100 dotted parts") == true)
        let arrayHeader = error("[[" + String(repeating: "a.", count: depth) + "a]]")
        #expect(arrayHeader?.message.contains("more than 100 dotted parts") == true)
        // Within the limits, headers and dotted keys together still may not nest past 100 tables.
        let stacked = "[" + Array(repeating: "a", count: 60).joined(separator: ".") + "]\n"
            + Array(repeating: "b", count: 60).joined(separator: ".") + " = 1"
        #expect(error(stacked)?.message.contains("tables nest deeper than 100 levels") == true)
        let inline = "[" + Array(repeating: "a", count: 99).joined(separator: ".") + "]\nx = { y = { z = 1 } }"
        #expect(error(inline)?.message.contains("tables nest deeper than 100 levels") == true)
        let fits = "[" + Array(repeating: "a", count: 50).joined(separator: ".") + "]\n"
            + Array(repeating: "b", count: 49).joined(separator: ".") + " = 1"
        #expect(error(fits) == nil)
    }

    @Test func hugeNumbersAreErrors() {
        #expect(error("x = 1" + String(repeating: "0", count: 5_000))?.message.contains("range") == true)
        #expect(error("x = 1e999")?.message.contains("range") == true)
        #expect(error("x = 0x1_0000_0000_0000_0000")?.message.contains("range") == true)
        #expect(error("x = -9223372036854775808") == nil)
    }

    @Test func randomBytesNeverCrash() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("[]{}=\"'.,#\n\r\t 0123456789abcdefxoTZ:+-_\\u".utf8) + [0x00, 0xC3, 0xFF, 0x7F]
        var rejected = 0
        for _ in 0..<3_000 {
            let length = Int.random(in: 0..<60, using: &generator)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            do { _ = try TOMLDecoder.decode(bytes: bytes) } catch { rejected += 1 }
        }
        #expect(rejected > 0)
    }
}

@Suite struct DecoderValueTests {
    @Test func positionsAreKeptForKeysAndValues() throws {
        let table = try TOMLDecoder.decode("""
            # comment
            [server]
            listen = "127.0.0.1:9733"

            [[route]]
            name = "a"
              from = [1, 2]
            """)
        let server = try #require(table.entry("server"))
        #expect(server.keyPosition == TOMLPosition(line: 2, column: 2))
        guard case .table(let serverTable) = server.node.value else { Issue.record("server is not a table"); return }
        let listen = try #require(serverTable.entry("listen"))
        #expect(listen.keyPosition == TOMLPosition(line: 3, column: 1))
        #expect(listen.node.position == TOMLPosition(line: 3, column: 10))
        guard case .array(let routes) = table["route"], case .table(let route) = routes.first?.value else {
            Issue.record("route is not an array of tables"); return
        }
        #expect(routes.first?.position == TOMLPosition(line: 5, column: 1))
        guard case .array(let numbers) = route["from"] else { Issue.record("from is not an array"); return }
        #expect(numbers.map(\.position) == [TOMLPosition(line: 7, column: 11), TOMLPosition(line: 7, column: 14)])
    }

    @Test func everyValueType() throws {
        let table = try TOMLDecoder.decode("""
            s = "a\\tb\\u00e9\\U0001F600"
            l = 'C:\\path'
            m = \"\"\"
            one \\
               two\"\"\"
            i = -0x0 + 0
            i2 = 1_000
            h = 0xDEAD_beef
            f = 6.626e-34
            inf = -inf
            b = true
            odt = 1979-05-27T07:32:00.999-07:00
            ldt = 1979-05-27 07:32:00
            ld = 1979-05-27
            lt = 07:32:00.5
            """.replacingOccurrences(of: "i = -0x0 + 0\n", with: ""))
        #expect(table["s"] == .string("a\tbé😀"))
        #expect(table["l"] == .string("C:\\path"))
        #expect(table["m"] == .string("one two"))
        #expect(table["i2"] == .integer(1_000))
        #expect(table["h"] == .integer(0xDEAD_BEEF))
        #expect(table["f"] == .float(6.626e-34))
        #expect(table["inf"] == .float(-.infinity))
        #expect(table["b"] == .boolean(true))
        #expect(table["odt"] == .offsetDateTime(TOMLDateTime(
            date: TOMLDate(year: 1979, month: 5, day: 27),
            time: TOMLTime(hour: 7, minute: 32, second: 0, nanosecond: 999_000_000), offsetMinutes: -420)))
        if case .offsetDateTime(let value) = table["odt"] { #expect(value.description == "1979-05-27T07:32:00.999-07:00") }
        #expect(table["ldt"] == .localDateTime(TOMLDateTime(
            date: TOMLDate(year: 1979, month: 5, day: 27), time: TOMLTime(hour: 7, minute: 32, second: 0), offsetMinutes: nil)))
        #expect(table["ld"] == .localDate(TOMLDate(year: 1979, month: 5, day: 27)))
        #expect(table["lt"] == .localTime(TOMLTime(hour: 7, minute: 32, second: 0, nanosecond: 500_000_000)))
    }

    @Test func subTablesMayBeDefinedInsideDottedTables() throws {
        let table = try TOMLDecoder.decode("""
            [fruit]
            apple.color = "red"
            [fruit.apple.texture]
            smooth = true
            """)
        guard case .table(let fruit) = table["fruit"], case .table(let apple) = fruit["apple"],
              case .table(let texture) = apple["texture"] else { Issue.record("structure"); return }
        #expect(apple["color"] == .string("red"))
        #expect(texture["smooth"] == .boolean(true))
    }
}

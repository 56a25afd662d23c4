import Testing
@testable import LastmileCore

@Suite struct TokenTests {
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func canonicalFormIsNineGSMSafeSymbols() {
        var generator = SeededGenerator(state: 1)
        for _ in 0..<1_000 {
            let token = Token.random(using: &generator)
            let text = token.description
            #expect(text.count == 9)
            #expect(text.allSatisfy { CrockfordBase32.alphabet.contains($0) })
            #expect(GSM7.measure(text).outside.isEmpty)
            #expect(Token(text) == token)
        }
    }

    @Test func carriesFortyRandomBits() {
        #expect(Token(payload: 0xFF_FFFF_FFFF).payload == 0xFF_FFFF_FFFF)
        #expect(Token(payload: 0x1_0000_0000_00).payload == 0)
        var generator = SeededGenerator(state: 7)
        let tokens = Set((0..<10_000).map { _ in Token.random(using: &generator) })
        #expect(tokens.count == 10_000)
    }

    @Test func parsingToleratesCaseConfusablesSpacesAndHyphens() {
        let token = findTokenWithDigits()
        let text = token.description
        #expect(Token(text.lowercased()) == token)
        #expect(Token(text.replacingOccurrences(of: "0", with: "O")) == token)
        #expect(Token(text.replacingOccurrences(of: "1", with: "l")) == token)
        #expect(Token(text.replacingOccurrences(of: "1", with: "I")) == token)
        let spaced = String(text.prefix(4)) + " - " + String(text.dropFirst(4))
        #expect(Token(spaced) == token)
    }

    /// A token whose text contains both 0 and 1, so the confusable cases are exercised.
    func findTokenWithDigits() -> Token {
        var generator = SeededGenerator(state: 3)
        while true {
            let token = Token.random(using: &generator)
            if token.description.contains("0") && token.description.contains("1") { return token }
        }
    }

    @Test func wrongCheckSymbolIsNotAToken() {
        let token = Token(payload: 0x12_3456_789A)
        var text = Array(token.description)
        let check = CrockfordBase32.value(of: text[8].unicodeScalars.first!)!
        text[8] = CrockfordBase32.symbol(for: (check + 1) % 31)
        #expect(Token(String(text)) == nil)
        #expect(TokenScanner.candidates(in: "Lastmile check \(String(text))").contains(token) == false)
    }

    @Test func everySingleSubstitutionAndAdjacentSwapIsCaught() {
        var generator = SeededGenerator(state: 11)
        var undetected = 0
        for _ in 0..<300 {
            let token = Token.random(using: &generator)
            let values = token.symbolValues + [Token.checkValue(of: token.symbolValues)]
            for position in 0..<8 {
                for replacement in 0..<32 where replacement != values[position] {
                    var altered = values
                    altered[position] = replacement
                    if Token(symbolValues: altered[...]) != nil {
                        // Only a difference of 31 (0 ↔ Z) can slip through a mod-31 sum.
                        #expect(abs(replacement - values[position]) == 31)
                        undetected += 1
                    }
                }
                if position < 7, values[position] != values[position + 1] {
                    var swapped = values
                    swapped.swapAt(position, position + 1)
                    if Token(symbolValues: swapped[...]) != nil {
                        #expect(abs(values[position] - values[position + 1]) == 31)
                    }
                }
            }
        }
        #expect(undetected < 300 * 8 / 10)
    }

    @Test(arguments: [
        "Lastmile check {T}",
        "lastmile check {t}",
        "FreeMsg: Lastmile check {T} Reply STOP to end",
        "[SMS] {T}",
        "{T}",
        "{T}12345",
        "Lastmile check {T4}",
        "Lastmile check {Tspaced}",
        "Lastmile check {Thyphen}",
        "Lastmile check {Tconfused}",
        "Lastmile  check\n{T}\r\n-- sent via carrier",
    ])
    func scannerFindsTokenInAlteredBodies(template: String) {
        let token = Token(payload: 0x0A_1B2C_3D4E)
        let text = token.description
        let spaced = text.enumerated().map { "\($0.element)" }.joined(separator: " ")
        let hyphen = String(text.prefix(3)) + "-" + String(text.dropFirst(3).prefix(3)) + "-" + String(text.suffix(3))
        let confused = text.lowercased().replacingOccurrences(of: "0", with: "o").replacingOccurrences(of: "1", with: "l")
        let body = template
            .replacingOccurrences(of: "{T}", with: text)
            .replacingOccurrences(of: "{t}", with: text.lowercased())
            .replacingOccurrences(of: "{T4}", with: String(text.prefix(4)) + " " + String(text.dropFirst(4)))
            .replacingOccurrences(of: "{Tspaced}", with: spaced)
            .replacingOccurrences(of: "{Thyphen}", with: hyphen)
            .replacingOccurrences(of: "{Tconfused}", with: confused)
        #expect(TokenScanner.candidates(in: body).contains(token), "\(body)")
    }

    @Test func scannerFindsNothingWithoutAToken() {
        #expect(TokenScanner.candidates(in: "Your code is 4821").isEmpty)
        #expect(TokenScanner.candidates(in: "").isEmpty)
        #expect(TokenScanner.candidates(in: "😀😀😀😀😀😀😀😀😀😀").isEmpty)
    }

    @Test func theASCIIScanFindsExactlyWhatTheScalarScanFinds() {
        // Bodies a carrier might deliver: tokens with prefixes, case changes, spaces, hyphens,
        // control characters, runs longer than a token and repeats, from a fixed seed.
        var random = SeededRandom(seed: 31)
        let pieces = ["Lastmile check ", "FreeMsg: ", "-", " ", "\t", "\r\n", "\u{0B}", "\u{1C}", "!", "0O1lI", "zzzz", "CHECK", ":"]
        var found = 0
        for _ in 0..<5_000 {
            var body = ""
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                if random.chance(0.4) {
                    var text = Token(payload: random.next()).description
                    if random.chance(0.3) { text = text.lowercased() }
                    if random.chance(0.3) { text.insert(" ", at: text.index(text.startIndex, offsetBy: 4)) }
                    body += text
                } else {
                    body += pieces[Int.random(in: 0..<pieces.count, using: &random)]
                }
            }
            var ascii: [Token] = []
            let allASCII = TokenScanner.scanASCII(body) { token in
                if !ascii.contains(token) { ascii.append(token) }
                return false
            }
            #expect(allASCII && ascii == TokenScanner.scalarCandidates(in: body), "\(body.debugDescription)")
            found += ascii.count
        }
        #expect(found > 2_000)
        #expect(TokenScanner.scanASCII("Lastmile check ‐ 0A1B") { _ in false } == false)
    }

    @Test func bodiesMatchIgnoringOnlyCarriageReturnsAndSurroundingWhitespace() {
        #expect(Canary.bodiesMatch(sent: "Lastmile check ABC", received: " \tLastmile check ABC\r\n\u{0B}"))
        #expect(Canary.bodiesMatch(sent: "line one\nline two", received: "line one\r\nline two"))
        #expect(!Canary.bodiesMatch(sent: "Lastmile check ABC", received: "Lastmile  check ABC"))
        #expect(!Canary.bodiesMatch(sent: "Lastmile check ABC", received: "FreeMsg: Lastmile check ABC"))
        #expect(!Canary.bodiesMatch(sent: "Lastmile check ABC", received: "lastmile check ABC"))
        // Non-ASCII bodies take the Unicode path: a no-break space is whitespace there too.
        #expect(Canary.bodiesMatch(sent: "Prüfung ABC", received: "\u{A0}Prüfung ABC\u{2003}"))
        #expect(Canary.bodiesMatch(sent: "check ABC", received: "\u{A0}check ABC"))
        #expect(!Canary.bodiesMatch(sent: "check ABC", received: "chéck ABC"))
    }

    @Test func scannerIsBoundedOnHugeBodies() {
        let token = Token(payload: 42)
        let body = String(repeating: "x", count: 100_000) + token.description
        #expect(TokenScanner.candidates(in: body).contains(token) == false)
        #expect(TokenScanner.candidates(in: token.description + String(repeating: "!", count: 100_000)) == [token])
    }
}

import Foundation

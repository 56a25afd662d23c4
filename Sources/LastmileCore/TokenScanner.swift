/// Finds canary tokens anywhere in a received body.
///
/// Carriers and phones alter messages: they change case, add prefixes ("FreeMsg:")
/// and suffixes, insert spaces or hyphens, and people retype O for 0. The scanner
/// reads runs of base32 symbols, skipping whitespace and hyphens inside a run, and
/// returns every nine-symbol window whose check symbol is right. Several candidates
/// can come out of one body (the word "CHECK" is itself base32); the caller keeps
/// the one that names a known canary.
public enum TokenScanner {
    /// Bodies longer than this are scanned only up to it; an SMS is never this long.
    public static let maximumScannedScalars = 4_096

    /// Every token candidate in `body`, in order of appearance, without repeats.
    public static func candidates(in body: String) -> [Token] {
        var found: [Token] = []
        _ = firstCandidate(in: body) { token -> Bool? in
            if !found.contains(token) { found.append(token) }
            return nil
        }
        return found
    }

    /// The first of `body`'s token candidates, in order of appearance, for which `visit` gives a
    /// value, and whether there was any candidate at all. Builds no array: the correlator looks
    /// each candidate up as it is found, and the first known one ends the scan.
    public static func firstCandidate<Value>(in body: String, _ visit: (Token) -> Value?) -> (value: Value?, sawCandidate: Bool) {
        var sawCandidate = false
        var value: Value?
        let ascii = scanASCII(body) { token in
            sawCandidate = true
            value = visit(token)
            return value != nil
        }
        if ascii { return (value, sawCandidate) }
        // A byte was not ASCII: the prefix's candidates come again from the scalar scan.
        sawCandidate = false
        for token in scalarCandidates(in: body) {
            sawCandidate = true
            if let found = visit(token) { return (found, true) }
        }
        return (nil, sawCandidate)
    }

    /// The scan over the bytes of a body that is all ASCII, as nearly every SMS body is: no
    /// Unicode properties to look up and no array per run. Calls `visit` with each candidate
    /// (repeats included) until it returns true; false when a byte is not ASCII and the scan
    /// stopped there.
    static func scanASCII(_ body: String, _ visit: (Token) -> Bool) -> Bool {
        var body = body
        return body.withUTF8 { bytes -> Bool in
            byteClasses.withUnsafeBufferPointer { classes -> Bool in
                // The latest run of symbol values (only the last nine matter for a window) and its length.
                var window: UInt64 = 0
                var runLength = 0
                // The check of the window's last eight symbols read as a payload (weights 1 to 8),
                // and their plain sum, kept as the window slides rather than summed again.
                var weighted = 0, plain = 0
                for index in 0..<min(bytes.count, maximumScannedScalars) {
                    let code = classes[Int(bytes[index])]
                    if code < 32 {
                        let leaving = runLength >= Token.payloadLength ? Int((window >> 35) & 0x1F) : 0
                        if runLength >= Token.payloadLength, weighted % 31 == Int(code) {
                            if let token = Token(window: (window << 5 | UInt64(code)) & 0x3FFF_FFFF_FFFF), visit(token) { return true }
                        }
                        weighted += Token.payloadLength * Int(code) - plain
                        plain += Int(code) - leaving
                        window = (window << 5 | UInt64(code)) & 0x3FFF_FFFF_FFFF
                        runLength += 1
                    } else if code == Self.skipped {
                        continue
                    } else if code == Self.notASCII {
                        return false
                    } else {
                        runLength = 0
                        weighted = 0
                        plain = 0
                    }
                }
                return true
            }
        }
    }

    private static let skipped: UInt8 = 32, ending: UInt8 = 33, notASCII: UInt8 = 34

    /// What each byte is to the ASCII scan: a symbol's value (below 32), skipped inside a run
    /// (space, tab, line breaks, hyphen), the end of a run, or not ASCII.
    private static let byteClasses: [UInt8] = (0...255).map { byte -> UInt8 in
        let byte = UInt8(byte)
        if byte >= 0x80 { return notASCII }
        if let value = CrockfordBase32.value(ofASCII: byte) { return UInt8(value) }
        if byte == UInt8(ascii: "-") || byte == 0x20 || (0x09...0x0D).contains(byte) { return skipped }
        return ending
    }

    static func scalarCandidates(in body: String) -> [Token] {
        var found: [Token] = []
        var run: [Int] = []
        var scanned = 0

        func flushRun() {
            if run.count >= Token.length {
                for start in 0...(run.count - Token.length) {
                    if let token = Token(symbolValues: run[start..<(start + Token.length)]),
                       !found.contains(token) {
                        found.append(token)
                    }
                }
            }
            run.removeAll(keepingCapacity: true)
        }

        for scalar in body.unicodeScalars {
            scanned += 1
            if scanned > maximumScannedScalars { break }
            if let value = CrockfordBase32.value(of: scalar) {
                run.append(value)
            } else if scalar == "-" || scalar == "\u{2010}" || scalar == "\u{2011}" || scalar.properties.isWhitespace {
                continue
            } else {
                flushRun()
            }
        }
        flushRun()
        return found
    }
}

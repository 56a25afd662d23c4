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
        asciiCandidates(in: body) ?? scalarCandidates(in: body)
    }

    /// The same scan over the bytes of a body that is all ASCII, as nearly every SMS body is:
    /// no Unicode properties to look up and no array per run. Nil when a byte is not ASCII.
    static func asciiCandidates(in body: String) -> [Token]? {
        var body = body
        return body.withUTF8 { bytes -> [Token]? in
            var found: [Token] = []
            // The latest run of symbol values (only the last nine matter for a window) and its length.
            var window: UInt64 = 0
            var runLength = 0
            for (index, byte) in bytes.enumerated() {
                guard byte < 0x80 else { return nil }
                guard index < maximumScannedScalars else { break }
                if let value = CrockfordBase32.value(ofASCII: byte) {
                    window = (window << 5 | UInt64(value)) & 0x3FFF_FFFF_FFFF
                    runLength += 1
                    if runLength >= Token.length, let token = Token(window: window), !found.contains(token) {
                        found.append(token)
                    }
                } else if byte == UInt8(ascii: "-") || byte == 0x20 || (0x09...0x0D).contains(byte) {
                    continue
                } else {
                    runLength = 0
                }
            }
            return found
        }
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

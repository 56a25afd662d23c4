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

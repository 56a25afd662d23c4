import Foundation

/// The files gammu-smsd's files backend leaves in its inbox folder.
public enum GammuFile {
    /// gammu-smsd's files backend: `IN<yyyymmdd>_<hhmmss>_<serial>_<sender>_<part>.txt`, the file
    /// holding the text (UTF-16 with a byte-order mark for `unicode`, plain otherwise).
    /// https://docs.gammu.org/smsd/files.html
    public static func read(name: String, data: Data) throws(SpoolFileProblem) -> ParsedArrival {
        guard name.hasPrefix("IN") else { throw SpoolFileProblem("not an inbox file (IN…)") }
        let stem = name.split(separator: ".").first.map(String.init) ?? name
        let fields = stem.dropFirst(2).split(separator: "_", omittingEmptySubsequences: false).map(String.init)
        guard fields.count >= 5, fields[0].count == 8, fields[1].count == 6 else {
            throw SpoolFileProblem("file name is not IN<date>_<time>_<serial>_<sender>_<part>")
        }
        let sender = fields[3...(fields.count - 2)].joined(separator: "_")
        guard !sender.isEmpty else { throw SpoolFileProblem("no sender in the file name") }
        let bytes = Array(data)
        let text: String
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            let bigEndian = bytes[0] == 0xFE
            let payload = Array(bytes.dropFirst(2))
            guard payload.count % 2 == 0 else { throw SpoolFileProblem("UTF-16 text with an odd number of bytes") }
            var units: [UInt16] = []
            for index in stride(from: 0, to: payload.count, by: 2) {
                let high = UInt16(payload[bigEndian ? index : index + 1])
                let low = UInt16(payload[bigEndian ? index + 1 : index])
                units.append(high << 8 | low)
            }
            text = String(decoding: units, as: UTF16.self)
        } else {
            text = String(validating: bytes, as: UTF8.self) ?? String(bytes.map { Character(Unicode.Scalar($0)) })
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyyMMdd HHmmss"
        return ParsedArrival(from: sender, to: nil, body: text.trimmingCharacters(in: .newlines),
                             receivedAt: formatter.date(from: fields[0] + " " + fields[1]))
    }
}

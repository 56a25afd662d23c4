import Foundation

/// Messages that GSM modem daemons leave in spool folders.
public enum SpoolFiles {
    /// Why a spool file could not be read.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// smstools3's incoming file: `Key: value` headers (`From`, `Sent`, `Received`, `Alphabet`, …),
    /// an empty line, then the text. https://smstools3.kekekasvi.com/index.php?p=fileformat
    public static func smstools(_ data: Data) throws(Problem) -> ParsedArrival {
        let bytes = Array(data)
        guard let split = bytes.indices.first(where: { index in
            bytes[index] == 0x0A && (index + 1 < bytes.count && bytes[index + 1] == 0x0A
                                     || index + 2 < bytes.count && bytes[index + 1] == 0x0D && bytes[index + 2] == 0x0A)
        }) else { throw Problem("no empty line between the headers and the text") }
        let headText = String(decoding: bytes[..<split], as: UTF8.self)
        var headers: [String: String] = [:]
        for line in headText.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { throw Problem("header line without a colon: \(line.prefix(40))") }
            headers[line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()] = line[line.index(after: colon)...]
                .trimmingCharacters(in: .whitespaces)
        }
        guard let from = headers["from"], !from.isEmpty else { throw Problem("no From header") }
        var bodyStart = split + 1
        while bodyStart < bytes.count, bytes[bodyStart] == 0x0A || bytes[bodyStart] == 0x0D { bodyStart += 1 }
        let bodyBytes = Array(bytes[bodyStart...])
        let text: String
        if headers["alphabet"]?.uppercased().hasPrefix("UCS") == true {
            guard bodyBytes.count % 2 == 0 else { throw Problem("UCS2 text with an odd number of bytes") }
            let units = stride(from: 0, to: bodyBytes.count, by: 2).map { UInt16(bodyBytes[$0]) << 8 | UInt16(bodyBytes[$0 + 1]) }
            text = String(decoding: units, as: UTF16.self)
        } else {
            text = String(validating: bodyBytes, as: UTF8.self) ?? String(bodyBytes.map { Character(Unicode.Scalar($0)) })
        }
        let sent = (headers["received"] ?? headers["sent"]).flatMap(smstoolsDate)
        return ParsedArrival(from: from.hasPrefix("+") || !from.allSatisfy(\.isNumber) ? from : "+" + from, to: nil,
                             body: text.trimmingCharacters(in: .newlines), receivedAt: sent)
    }

    /// `yy-mm-dd hh:mm:ss`, the modem's local time.
    static func smstoolsDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yy-MM-dd HH:mm:ss"
        return formatter.date(from: text)
    }

    /// gammu-smsd's files backend: `IN<yyyymmdd>_<hhmmss>_<serial>_<sender>_<part>.txt`, the file
    /// holding the text (UTF-16 with a byte-order mark for `unicode`, plain otherwise).
    /// https://docs.gammu.org/smsd/files.html
    public static func gammu(name: String, data: Data) throws(Problem) -> ParsedArrival {
        guard name.hasPrefix("IN") else { throw Problem("not an inbox file (IN…)") }
        let stem = name.split(separator: ".").first.map(String.init) ?? name
        let fields = stem.dropFirst(2).split(separator: "_", omittingEmptySubsequences: false).map(String.init)
        guard fields.count >= 5, fields[0].count == 8, fields[1].count == 6 else {
            throw Problem("file name is not IN<date>_<time>_<serial>_<sender>_<part>")
        }
        let sender = fields[3...(fields.count - 2)].joined(separator: "_")
        guard !sender.isEmpty else { throw Problem("no sender in the file name") }
        let bytes = Array(data)
        let text: String
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            let bigEndian = bytes[0] == 0xFE
            let payload = Array(bytes.dropFirst(2))
            guard payload.count % 2 == 0 else { throw Problem("UTF-16 text with an odd number of bytes") }
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

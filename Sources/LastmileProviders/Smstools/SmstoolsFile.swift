import Foundation

/// The files smstools3 leaves in its incoming folder.
public enum SmstoolsFile {
    /// smstools3's incoming file: `Key: value` headers (`From`, `Sent`, `Received`, `Alphabet`, …),
    /// an empty line, then the text. https://smstools3.kekekasvi.com/index.php?p=fileformat
    public static func read(_ data: Data) throws(SpoolFileProblem) -> ParsedArrival {
        let bytes = Array(data)
        guard let split = bytes.indices.first(where: { index in
            bytes[index] == 0x0A && (index + 1 < bytes.count && bytes[index + 1] == 0x0A
                                     || index + 2 < bytes.count && bytes[index + 1] == 0x0D && bytes[index + 2] == 0x0A)
        }) else { throw SpoolFileProblem("no empty line between the headers and the text") }
        let headText = String(decoding: bytes[..<split], as: UTF8.self)
        var headers: [String: String] = [:]
        for line in headText.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { throw SpoolFileProblem("header line without a colon: \(line.prefix(40))") }
            headers[line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()] = line[line.index(after: colon)...]
                .trimmingCharacters(in: .whitespaces)
        }
        guard let from = headers["from"], !from.isEmpty else { throw SpoolFileProblem("no From header") }
        var bodyStart = split + 1
        while bodyStart < bytes.count, bytes[bodyStart] == 0x0A || bytes[bodyStart] == 0x0D { bodyStart += 1 }
        let bodyBytes = Array(bytes[bodyStart...])
        let text: String
        if headers["alphabet"]?.uppercased().hasPrefix("UCS") == true {
            guard bodyBytes.count % 2 == 0 else { throw SpoolFileProblem("UCS2 text with an odd number of bytes") }
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
}

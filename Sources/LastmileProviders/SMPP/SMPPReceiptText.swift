import Foundation

/// The SMPP 3.4 delivery-receipt text (appendix B):
/// `id:IIIIIIIIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DDDDDDD err:E text:…`.
public struct SMPPReceiptText: Sendable, Hashable {
    public var id: String
    public var stat: String
    public var err: String?
    public var submitDate: String?
    public var doneDate: String?

    /// Parses the text; nil when it has no `id:` or no `stat:`.
    public init?(_ text: String) {
        var fields: [String: String] = [:]
        let keys = ["id", "sub", "dlvrd", "submit date", "done date", "stat", "err", "text"]
        var positions: [(key: String, start: String.Index, valueStart: String.Index)] = []
        for key in keys {
            // Searched in the text itself: an index found in a lowercased copy need not fit the
            // original, whose characters lowercasing can split or join.
            if let range = text.range(of: key + ":", options: [.caseInsensitive, .literal]) {
                positions.append((key, range.lowerBound, range.upperBound))
            }
        }
        positions.sort { $0.start < $1.start }
        for (index, position) in positions.enumerated() {
            let end = index + 1 < positions.count ? positions[index + 1].start : text.endIndex
            fields[position.key] = text[position.valueStart..<end].trimmingCharacters(in: .whitespaces)
        }
        guard let id = fields["id"], !id.isEmpty, let stat = fields["stat"], !stat.isEmpty else { return nil }
        self.id = id
        self.stat = stat.uppercased()
        err = fields["err"]
        submitDate = fields["submit date"]
        doneDate = fields["done date"]
    }

    /// `done date` (YYMMDDhhmm or YYMMDDhhmmss, UTC) as a date.
    public var doneAt: Date? {
        // ASCII digits only: other scripts' digits are numbers to Swift, but not to `Int`.
        guard let digits = doneDate.map({ Array($0.utf8) }), digits.count == 10 || digits.count == 12,
              digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        var components = DateComponents()
        components.timeZone = TimeZone(identifier: "UTC")
        func number(_ range: Range<Int>) -> Int { digits[range].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) } }
        components.year = 2000 + number(0..<2)
        components.month = number(2..<4)
        components.day = number(4..<6)
        components.hour = number(6..<8)
        components.minute = number(8..<10)
        components.second = digits.count == 12 ? number(10..<12) : 0
        return Calendar(identifier: .gregorian).date(from: components)
    }
}

import Foundation
import HTTP
import LastmileBase
import LastmileCore
import Testing
@testable import LastmileProviders

/// Receipt fields a hostile or broken sender writes: each is refused or read, and none stops the process.
@Suite struct HostileReceiptTests {
    @Test func anSMPPReceiptTextReadsTheStandardFieldsAndItsDoneDate() throws {
        let text = try #require(SMPPReceiptText("id:abc123 sub:001 dlvrd:001 submit date:2401011200 done date:2401011201 stat:DELIVRD err:000 text:hi"))
        #expect(text.id == "abc123" && text.stat == "DELIVRD" && text.err == "000")
        #expect(text.doneAt == Date(timeIntervalSince1970: 1_704_110_460))
        #expect(SMPPReceiptText("ID:x STAT:undeliv")?.stat == "UNDELIV")
    }

    @Test(arguments: [
        // Characters whose lowercase form counts differently: an index taken in a lowercased copy does not fit the text.
        String(repeating: "\u{24C2}\u{200D}\u{24C2}", count: 20) + " id:1 stat:DELIVRD",
        "\u{0130}\u{0130}\u{0130} id:2 stat:DELIVRD done date:2401011201",
        "id:3 stat:DELIVRD done date:\u{661}\u{662}\u{663}\u{664}\u{665}\u{666}\u{667}\u{668}\u{669}\u{660}",
        "id:4 stat:DELIVRD done date:\u{FF11}\u{FF12}\u{FF13}\u{FF14}\u{FF15}\u{FF16}\u{FF17}\u{FF18}\u{FF19}\u{FF10}",
        "id:5 stat:DELIVRD done date:\u{215A}\u{215A}\u{215A}\u{215A}\u{215A}\u{215A}\u{215A}\u{215A}\u{215A}\u{215A}",
    ])
    func anSMPPReceiptTextInOtherScriptsIsReadWithoutADate(_ raw: String) throws {
        let text = try #require(SMPPReceiptText(raw))
        #expect(text.stat == "DELIVRD")
        #expect(!text.id.isEmpty)
        // Digits of other scripts are numbers to Swift but not a done date.
        #expect(text.doneAt == nil || raw.contains("2401011201"))
    }

    @Test(arguments: ["nan", "inf", "-inf", "1e400", "-5", "99999999999999", ""])
    func anEpochTimeThatIsNoDateIsDropped(_ raw: String) {
        #expect(Timestamps.epoch(raw) == nil)
    }

    @Test func anEpochTimeIsReadInSecondsOrMilliseconds() {
        #expect(Timestamps.epoch("1741912196") == Date(timeIntervalSince1970: 1_741_912_196))
        #expect(Timestamps.epoch("1741912196500", unitsPerSecond: 1_000) == Date(timeIntervalSince1970: 1_741_912_196.5))
    }

    @Test func aKannelReceiptWithAnImpossibleTimeKeepsItsStatusAndDropsTheTime() throws {
        let parsed = try KannelReceiptParser().receipts(from: request("/hooks/receipts/k?canary=\(tokenText)&status=1&at=inf", method: "GET"))
        #expect(parsed.count == 1)
        #expect(parsed.first?.status == .delivered)
        #expect(parsed.first?.reportedAt == nil)
    }

    /// A well-formed canary token, as a sender echoes it.
    private var tokenText: String { Token(payload: 123_456).description }
}

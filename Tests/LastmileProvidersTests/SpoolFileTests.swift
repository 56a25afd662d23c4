import Foundation
import Testing
@testable import LastmileProviders

@Suite struct SpoolFileTests {
    /// The incoming-file example of https://smstools3.kekekasvi.com/index.php?p=fileformat
    @Test func smstoolsIncomingFile() throws {
        let file = """
            From: 491721234567
            From_SMSC: 491710760000
            Sent: 05-02-01 12:35:20
            Received: 05-02-01 12:35:29
            Subject: GSM1
            Alphabet: ISO
            UDH: false

            This is the Text that I have sent with my mobile phone to the computer.
            """
        let arrival = try SmstoolsFile.read(Data(file.utf8))
        #expect(arrival.from == "+491721234567")
        #expect(arrival.body == "This is the Text that I have sent with my mobile phone to the computer.")
        #expect(arrival.receivedAt != nil)
    }

    @Test func smstoolsUCS2File() throws {
        var data = Data("From: 447700900123\nSent: 24-11-22 10:00:00\nAlphabet: UCS2\nLength: 10\n\n".utf8)
        for unit in "Läst ✓".utf16 { data.append(contentsOf: [UInt8(unit >> 8), UInt8(unit & 0xFF)]) }
        let arrival = try SmstoolsFile.read(data)
        #expect(arrival.body == "Läst ✓")
        #expect(arrival.from == "+447700900123")
    }

    /// File names as https://docs.gammu.org/smsd/files.html describes them.
    @Test func gammuInboxFiles() throws {
        let plain = try GammuFile.read(name: "IN20021130_021531_00_+45409000931640979_00.txt", data: Data("Lastmile check 0A1B2C3D4\n".utf8))
        #expect(plain.from == "+45409000931640979")
        #expect(plain.body == "Lastmile check 0A1B2C3D4")
        #expect(plain.receivedAt != nil)
        var unicode = Data([0xFF, 0xFE])
        for unit in "Grüße".utf16 { unicode.append(contentsOf: [UInt8(unit & 0xFF), UInt8(unit >> 8)]) }
        let wide = try GammuFile.read(name: "IN20241122_100005_00_+447700900123_00.txt", data: unicode)
        #expect(wide.body == "Grüße")
    }

    @Test(arguments: ["no headers at all", "From 447700900123\n\ntext", "Sent: 24-11-22 10:00:00\n\nno sender"])
    func malformedSmstoolsFilesAreRefused(text: String) {
        #expect(throws: SpoolFileProblem.self) { try SmstoolsFile.read(Data(text.utf8)) }
    }

    @Test(arguments: ["OUT20241122_100005_00_+447700900123_00.txt", "IN2024_1_x.txt", "IN20241122_100005_00__00.txt"])
    func malformedGammuNamesAreRefused(name: String) {
        #expect(throws: SpoolFileProblem.self) { try GammuFile.read(name: name, data: Data("x".utf8)) }
    }
}

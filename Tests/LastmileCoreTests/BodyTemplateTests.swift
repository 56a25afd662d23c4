import Testing
@testable import LastmileCore

@Suite struct BodyTemplateTests {
    @Test func rendersTheToken() throws {
        let template = try BodyTemplate("Lastmile check {token}")
        let token = Token(payload: 99)
        #expect(template.render(token: token) == "Lastmile check \(token)")
        #expect(template.warnings.isEmpty)
    }

    @Test func aTemplateWithoutTokenIsAnError() {
        #expect(throws: BodyTemplate.Problem.missingToken) { try BodyTemplate("Lastmile check") }
        #expect(throws: BodyTemplate.Problem.missingToken) { try BodyTemplate("Lastmile {tokens}") }
    }

    @Test func aBodyOver160SeptetsIsAnError() throws {
        // 151 + 9 token symbols = 160: fits exactly.
        _ = try BodyTemplate(String(repeating: "a", count: 151) + "{token}")
        #expect(throws: BodyTemplate.Problem.tooLong(septets: 161)) {
            try BodyTemplate(String(repeating: "a", count: 152) + "{token}")
        }
        // Extension characters cost two septets: 76 × "{" = 152 septets, + 9 = 161.
        #expect(throws: BodyTemplate.Problem.tooLong(septets: 161)) {
            try BodyTemplate(String(repeating: "[", count: 76) + "{token}")
        }
    }

    @Test func charactersOutsideGSM7AreAWarning() throws {
        let template = try BodyTemplate("Lastmile ✓ check {token} ✓ 😀")
        #expect(template.warnings == [.outsideGSM7(["✓", "😀"])])
        #expect(template.warnings.first?.description.contains("UCS-2") == true)
    }

    @Test func gsm7CountsExtensionCharactersTwice() {
        #expect(GSM7.measure("abc").septets == 3)
        #expect(GSM7.measure("€[]").septets == 6)
        #expect(GSM7.measure("Ünïcode").outside == ["ï"])
    }
}

/// The GSM 03.38 default alphabet, as SMS counts it.
///
/// Characters of the basic set cost one septet; those of the extension table
/// (`^ { } \ [ ] ~ | €` and form feed) cost two. Anything else forces the whole
/// message into UCS-2.
public enum GSM7 {
    static let basic: Set<Character> = Set(
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u{1B}ÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
        "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
    )
    static let extended: Set<Character> = Set("^{}\\[]~|€\u{0C}")

    /// The septets `character` costs, or nil when it is outside GSM-7.
    public static func septets(for character: Character) -> Int? {
        if basic.contains(character) { return 1 }
        if extended.contains(character) { return 2 }
        return nil
    }

    /// The septets `text` costs, and the characters outside GSM-7 (in order, without repeats).
    public static func measure(_ text: String) -> (septets: Int, outside: [Character]) {
        var septets = 0
        var outside: [Character] = []
        for character in text {
            if let cost = Self.septets(for: character) {
                septets += cost
            } else {
                septets += 1
                if !outside.contains(character) { outside.append(character) }
            }
        }
        return (septets, outside)
    }

    /// The most septets one unsegmented SMS carries.
    public static let singleMessageSeptets = 160
}

import LastmileCore

extension SubmitAnswer {
    /// The most a provider's message id may hold: longer ones are no id anyone documents.
    static let maximumMessageIDBytes = 128
    /// The most the provider's other words (status, code, price, network) may hold.
    static let maximumFieldCharacters = 128
    /// The most a reason may hold.
    static let maximumReasonCharacters = 300

    /// This answer as it may be logged, stored and held in memory: whatever the provider wrote is
    /// on one line, with any `token=` value hidden (a provider echoing the request would echo the
    /// receipt hook's secret), and cut to a bound; a message id over its bound (a hostile or broken
    /// API answering megabytes) is no message id, and an acceptance that rested on it an error.
    func bounded() -> SubmitAnswer {
        var answer = self
        if let id = providerMessageID, id.utf8.count > Self.maximumMessageIDBytes {
            answer.providerMessageID = nil
            if answer.outcome == .accepted {
                answer.outcome = .error
                answer.reason = "the message id in the answer is \(id.utf8.count) bytes long, more than \(Self.maximumMessageIDBytes)"
            }
        }
        answer.providerStatus = providerStatus.map { Self.clean($0, limit: Self.maximumFieldCharacters) }
        answer.errorCode = errorCode.map { Self.clean($0, limit: Self.maximumFieldCharacters) }
        answer.price = price.map { Self.clean($0, limit: Self.maximumFieldCharacters) }
        answer.network = network.map { Self.clean($0, limit: Self.maximumFieldCharacters) }
        answer.reason = answer.reason.map { Self.clean($0, limit: Self.maximumReasonCharacters) }
        return answer
    }

    /// `text` on one line, tokens hidden, cut to `limit` characters (with `…` where cut).
    private static func clean(_ text: String, limit: Int) -> String {
        var cleaned = AdapterSupport.hidingTokens(String(text.prefix(limit * 4)))
        cleaned = String(cleaned.unicodeScalars.map { $0 == "\r" || $0 == "\n" ? " " : Character($0) })
        return cleaned.count > limit ? String(cleaned.prefix(limit - 1)) + "…" : cleaned
    }
}

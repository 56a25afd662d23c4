import LastmileCore
import LastmileProviders
import LastmileStore

/// Settled canaries of the store that the reports of one step may name although the
/// correlator no longer holds them, read before the step: correlating never waits on the
/// database, and the engine's actor is never held by a query.
struct SettledLookup: Sendable {
    /// What to look for: a provider's message id on a route, or a token.
    struct Keys: Sendable {
        var messages: Set<RouteMessage> = []
        var tokens: Set<Token> = []

        var isEmpty: Bool { messages.isEmpty && tokens.isEmpty }

        func subtracting(_ other: Keys) -> Keys {
            Keys(messages: messages.subtracting(other.messages), tokens: tokens.subtracting(other.tokens))
        }

        mutating func formUnion(_ other: Keys) {
            messages.formUnion(other.messages)
            tokens.formUnion(other.tokens)
        }

        /// What `receipts` on `route` would need from the store: their message ids and tokens
        /// that name no canary `correlator` holds.
        mutating func add(receipts: [ParsedReceipt], route: String, unknownTo correlator: Correlator) {
            for receipt in receipts {
                if let messageID = receipt.messageID, !messageID.isEmpty,
                   !correlator.holdsCanary(route: route, providerMessageID: messageID) {
                    messages.insert(RouteMessage(route: route, messageID: messageID))
                }
                if let token = receipt.token, correlator.canary(token: token) == nil { tokens.insert(token) }
            }
        }

        /// What `arrivals` would need: every token candidate of a body none of whose candidates
        /// `correlator` holds.
        mutating func add(arrivals: [ParsedArrival], unknownTo correlator: Correlator) {
            for arrival in arrivals {
                // The scan the correlator makes, stopping at the first held canary; only a body
                // with candidates and none held is scanned again, for all of them.
                let (held, sawCandidate) = TokenScanner.firstCandidate(in: arrival.body) { correlator.canary(token: $0) != nil ? true : nil }
                if sawCandidate, held == nil { tokens.formUnion(TokenScanner.candidates(in: arrival.body)) }
            }
        }
    }

    struct RouteMessage: Hashable, Sendable {
        var route: String
        var messageID: String
    }

    private(set) var byMessage: [RouteMessage: Canary] = [:]
    private(set) var byToken: [Token: Canary] = [:]

    /// The stored canaries `keys` name, read on the store's reading thread.
    static func read(_ keys: Keys, from store: CanaryStore) async throws -> SettledLookup {
        guard !keys.isEmpty else { return SettledLookup() }
        return try await store.reading { store in
            var found = SettledLookup()
            for key in keys.messages {
                found.byMessage[key] = try store.canary(route: key.route, providerMessageID: key.messageID)
            }
            for token in keys.tokens { found.byToken[token] = try store.canary(token: token) }
            return found
        }
    }

    mutating func merge(_ other: SettledLookup) {
        byMessage.merge(other.byMessage) { current, _ in current }
        byToken.merge(other.byToken) { current, _ in current }
    }

    /// The stored canary of `route` a receipt names, by message id first.
    func canary(for receipt: ParsedReceipt, route: String) -> Canary? {
        receipt.messageID.flatMap { byMessage[RouteMessage(route: route, messageID: $0)] }
            ?? receipt.token.flatMap { byToken[$0] }.flatMap { $0.plan.route == route ? $0 : nil }
    }

    /// The stored canary an arrival names: its first token candidate that names one.
    func canary(for arrival: ParsedArrival) -> Canary? {
        TokenScanner.candidates(in: arrival.body).lazy.compactMap { byToken[$0] }.first
    }
}

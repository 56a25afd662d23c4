import LastmileConfig

extension ArrivalSourceKind {
    public static let json = ArrivalSourceKind("json")
}

/// The generic arrival any script can send: `to`, `from`, `body`, `received_at` as JSON, a form
/// or a query, with a bearer token.
public struct JSONWebhook: ArrivalSource {
    public init() {}

    public var sourceTraits: ArrivalSourceTraits { ArrivalSourceTraits(kind: .json, methods: ["GET", "POST"]) }

    public var intake: ArrivalIntake {
        .webhook(WebhookIntake(parser: JSONArrivalParser()) { BearerTokenVerifier(token: $0) })
    }
}

import LastmileConfig

extension ProviderKind {
    public static let vonage = ProviderKind("vonage")
}

extension ArrivalSourceKind {
    public static let vonage = ArrivalSourceKind("vonage")
}

/// Vonage: the SMS API, delivery receipts and inbound SMS, by GET or POST; hooks take a bearer token.
public struct Vonage: SendProvider, ArrivalSource {
    public init() {}

    public var providerTraits: ProviderTraits {
        ProviderTraits(kind: .vonage, requiredCredentials: ["api_key", "api_secret"], optionalCredentials: ["signature_secret"],
                       receiptMethods: ["GET", "POST"])
    }

    public var sourceTraits: ArrivalSourceTraits { ArrivalSourceTraits(kind: .vonage, methods: ["GET", "POST"]) }

    public var statusTables: [ReceiptStatusTable] { [.vonage] }

    public var intake: ArrivalIntake {
        .webhook(WebhookIntake(parser: VonageArrivalParser()) { BearerTokenVerifier(token: $0) })
    }

    public func adapter(for route: RouteConfiguration, timeout: Double) -> (any SendAdapter)? {
        VonageSendAdapter(route: route, timeout: timeout)
    }

    public func receiptParser(for route: RouteConfiguration) -> any ReceiptParser { VonageReceiptParser() }
}

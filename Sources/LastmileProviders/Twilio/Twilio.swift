import LastmileConfig

extension ProviderKind {
    public static let twilio = ProviderKind("twilio")
}

extension ArrivalSourceKind {
    public static let twilio = ArrivalSourceKind("twilio")
}

/// Twilio: the Messages API, status callbacks and incoming-message webhooks, both signed with
/// `X-Twilio-Signature` over the URL Twilio calls.
public struct Twilio: SendProvider, ArrivalSource {
    public init() {}

    public var providerTraits: ProviderTraits {
        ProviderTraits(kind: .twilio, requiredCredentials: ["account_sid", "auth_token"], receiptMethods: ["POST"],
                       receiptSignature: .overURL(header: "X-Twilio-Signature"))
    }

    public var sourceTraits: ArrivalSourceTraits {
        ArrivalSourceTraits(kind: .twilio, signature: .overURL(header: "X-Twilio-Signature"), secretMeaning: "Twilio auth token")
    }

    public var statusTables: [ReceiptStatusTable] { [.twilio] }

    public var intake: ArrivalIntake {
        .webhook(WebhookIntake(parser: TwilioArrivalParser()) { TwilioSignatureVerifier(authToken: $0) })
    }

    public func adapter(for route: RouteConfiguration, timeout: Double) -> (any SendAdapter)? {
        TwilioSendAdapter(route: route, timeout: timeout)
    }

    public func receiptParser(for route: RouteConfiguration) -> any ReceiptParser { TwilioReceiptParser() }

    public func receiptSignatureVerifier(for route: RouteConfiguration) -> any WebhookVerifier {
        route.credentials["auth_token"].map { TwilioSignatureVerifier(authToken: $0.reveal()) } ?? RefusingHook(reason: "no auth_token")
    }
}

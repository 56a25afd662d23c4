import LastmileConfig

extension ProviderKind {
    public static let telnyx = ProviderKind("telnyx")
}

extension ArrivalSourceKind {
    public static let telnyx = ArrivalSourceKind("telnyx")
}

/// Telnyx: the Messaging API and message events, signed with Ed25519 when the account's public
/// key is configured.
public struct Telnyx: SendProvider, ArrivalSource {
    public init() {}

    public var providerTraits: ProviderTraits {
        ProviderTraits(kind: .telnyx, requiredCredentials: ["api_key"], optionalCredentials: ["messaging_profile_id", "public_key"],
                       receiptMethods: ["POST"], receiptSignature: .withCredential("public_key", header: "telnyx-signature-ed25519"))
    }

    public var sourceTraits: ArrivalSourceTraits {
        ArrivalSourceTraits(kind: .telnyx, signature: .always(header: "telnyx-signature-ed25519"), secretMeaning: "Telnyx public key")
    }

    public var statusTables: [ReceiptStatusTable] { [.telnyx] }

    public var intake: ArrivalIntake {
        .webhook(WebhookIntake(parser: TelnyxArrivalParser(), verifier: Self.arrivalVerifier))
    }

    /// The receiver's secret is the account's public key. One that is not an Ed25519 key refuses
    /// every call: taken as a bearer token instead, it would let in anyone who knows the public key.
    static func arrivalVerifier(secret: String) -> any WebhookVerifier {
        TelnyxSignatureVerifier(publicKeyBase64: secret) ?? RefusingHook(reason: "the receiver's secret is not a base64 Ed25519 public key")
    }

    public func adapter(for route: RouteConfiguration, timeout: Double) -> (any SendAdapter)? {
        TelnyxSendAdapter(route: route, timeout: timeout)
    }

    public func receiptParser(for route: RouteConfiguration) -> any ReceiptParser { TelnyxReceiptParser() }

    public func receiptSignatureVerifier(for route: RouteConfiguration) -> any WebhookVerifier {
        route.credentials["public_key"].flatMap { TelnyxSignatureVerifier(publicKeyBase64: $0.reveal()) }
            ?? RefusingHook(reason: "public_key is not a base64 Ed25519 key")
    }
}

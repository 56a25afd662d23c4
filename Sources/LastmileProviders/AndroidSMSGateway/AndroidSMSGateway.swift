import LastmileConfig

extension ArrivalSourceKind {
    public static let androidSMSGateway = ArrivalSourceKind("android-sms-gateway")
}

/// SMS Gateway for Android: the phone app's `sms:received` webhook, signed with `X-Signature`.
public struct AndroidSMSGateway: ArrivalSource {
    public init() {}

    public var sourceTraits: ArrivalSourceTraits {
        ArrivalSourceTraits(kind: .androidSMSGateway, signature: .always(header: "X-Signature"), secretMeaning: "signing key")
    }

    public var intake: ArrivalIntake {
        .webhook(WebhookIntake(parser: AndroidSMSGatewayArrivalParser()) { AndroidSMSGatewayVerifier(signingKey: $0) })
    }
}

import LastmileConfig

extension ArrivalSourceKind {
    public static let httpSMS = ArrivalSourceKind("httpsms")
}

/// httpSMS: the phone app's `message.phone.received` event, authenticated by an HS256 JWT.
public struct HTTPSMS: ArrivalSource {
    public init() {}

    public var sourceTraits: ArrivalSourceTraits {
        ArrivalSourceTraits(kind: .httpSMS, signature: .always(header: "Authorization (an HS256 JWT)"), secretMeaning: "signing key")
    }

    public var intake: ArrivalIntake {
        .webhook(WebhookIntake(parser: HTTPSMSArrivalParser()) { HTTPSMSVerifier(signingKey: $0) })
    }
}

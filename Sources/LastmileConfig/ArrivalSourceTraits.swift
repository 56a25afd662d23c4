/// What the configuration needs to know of an arrival source: its name, whether it calls a
/// webhook or leaves files in a spool folder, and how it signs. Each source declares its own.
public struct ArrivalSourceTraits: Sendable {
    /// How a source's reports reach Lastmile.
    public enum Delivery: Sendable, Hashable {
        /// It calls `/hooks/arrivals/{receiver}`.
        case webhook
        /// A modem daemon leaves one file per message in the receiver's `spool` folder.
        case spool
    }

    public var kind: ArrivalSourceKind
    public var delivery: Delivery
    /// Methods the source calls the arrival hook with (none for spool sources).
    public var methods: [String]
    /// How the source signs its requests with the receiver's `secret`.
    public var signature: HookSignature
    /// What a receiver's `secret` is for this source, for messages ("Twilio auth token").
    public var secretMeaning: String

    public init(kind: ArrivalSourceKind, delivery: Delivery = .webhook, methods: [String] = ["POST"],
                signature: HookSignature = .none, secretMeaning: String = "bearer token") {
        self.kind = kind
        self.delivery = delivery
        self.methods = delivery == .spool ? [] : methods
        self.signature = signature
        self.secretMeaning = secretMeaning
    }

    /// Whether the source reads a modem's spool folder rather than calling a webhook.
    public var isSpool: Bool { delivery == .spool }
}

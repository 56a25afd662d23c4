import LastmileConfig

/// Every send provider and arrival source Lastmile knows, each listed once. Adding one is a
/// new folder and a line here; see docs/adding-a-provider.md.
public struct ProviderRegistry: Sendable {
    public let providers: [any SendProvider]
    public let sources: [any ArrivalSource]

    public init(providers: [any SendProvider], sources: [any ArrivalSource]) {
        self.providers = providers
        self.sources = sources
    }

    /// The providers and sources that ship with Lastmile.
    public static let standard = ProviderRegistry(
        providers: [
            Twilio(),
            Vonage(),
            Plivo(),
            Telnyx(),
            Sinch(),
            Infobip(),
            MessageBird(),
            Kannel(),
            Clickatell(),
            GenericHTTP(),
        ],
        sources: [
            Twilio(),
            Vonage(),
            Telnyx(),
            AndroidSMSGateway(),
            HTTPSMS(),
            JSONWebhook(),
            Smstools(),
            Gammu(),
        ])

    /// What the configuration may name, and what each needs.
    public var catalogue: ProviderCatalogue {
        ProviderCatalogue(providers: providers.map(\.providerTraits), sources: sources.map(\.sourceTraits))
    }

    /// The provider named `kind`.
    public func provider(_ kind: ProviderKind) -> (any SendProvider)? {
        providers.first { $0.providerTraits.kind == kind }
    }

    /// The arrival source named `kind`.
    public func source(_ kind: ArrivalSourceKind) -> (any ArrivalSource)? {
        sources.first { $0.sourceTraits.kind == kind }
    }

    /// Every provider's status tables, each once (several providers may share one, such as SMPP's).
    public var statusTables: [ReceiptStatusTable] {
        var seen: Set<String> = []
        return providers.flatMap(\.statusTables).filter { seen.insert($0.provider).inserted }
    }
}

extension ProviderCatalogue {
    /// The catalogue of the providers and sources that ship with Lastmile.
    public static let standard = ProviderRegistry.standard.catalogue
}

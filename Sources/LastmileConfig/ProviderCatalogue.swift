/// The send providers and arrival sources a configuration may name, with what each needs.
/// The configuration reads against it; the providers module supplies the standard one.
public struct ProviderCatalogue: Sendable {
    public let providers: [ProviderTraits]
    public let sources: [ArrivalSourceTraits]

    public init(providers: [ProviderTraits], sources: [ArrivalSourceTraits]) {
        self.providers = providers
        self.sources = sources
    }

    /// The provider named `name`, if there is one.
    public func provider(named name: String) -> ProviderTraits? {
        providers.first { $0.kind.rawValue == name }
    }

    /// The arrival source named `name`, if there is one.
    public func source(named name: String) -> ArrivalSourceTraits? {
        sources.first { $0.kind.rawValue == name }
    }
}

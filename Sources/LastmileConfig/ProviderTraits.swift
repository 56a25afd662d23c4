/// What the configuration needs to know of a send provider: its name, the credentials it
/// takes, and how it calls its receipt hook. Each provider declares its own.
public struct ProviderTraits: Sendable {
    public var kind: ProviderKind
    /// Credential keys the provider's API needs.
    public var requiredCredentials: [String]
    /// Credential keys the provider may also take.
    public var optionalCredentials: [String]
    /// Whether the provider has no single public endpoint, so `api_url` is required.
    public var needsAPIURL: Bool
    /// Methods the provider calls the receipt hook with.
    public var receiptMethods: [String]
    /// How the provider signs its receipts.
    public var receiptSignature: HookSignature
    /// Whether routes describe the API's request and answer themselves (`[route.request]`,
    /// `[route.response]`, `[route.receipt]`), as the generic `http` provider does.
    public var describesItsShape: Bool

    public init(kind: ProviderKind, requiredCredentials: [String], optionalCredentials: [String] = [], needsAPIURL: Bool = false,
                receiptMethods: [String], receiptSignature: HookSignature = .none, describesItsShape: Bool = false) {
        self.kind = kind
        self.requiredCredentials = requiredCredentials
        self.optionalCredentials = optionalCredentials
        self.needsAPIURL = needsAPIURL
        self.receiptMethods = receiptMethods
        self.receiptSignature = receiptSignature
        self.describesItsShape = describesItsShape
    }
}

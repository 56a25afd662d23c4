import LastmileConfig

/// One send provider: what its routes need, how a canary becomes its API request, how its
/// delivery receipts read and how their signature is checked. Each lives in its own folder and
/// is listed once in `ProviderRegistry`.
public protocol SendProvider: Sendable {
    /// Its name, credentials and how it calls the receipt hook, for the configuration.
    var providerTraits: ProviderTraits { get }
    /// The adapter for `route`, or nil when the route lacks what the adapter needs.
    func adapter(for route: RouteConfiguration, timeout: Double) -> (any SendAdapter)?
    /// The parser of `route`'s delivery receipts.
    func receiptParser(for route: RouteConfiguration) -> any ReceiptParser
    /// The check of the provider's own receipt signature, for routes whose hook scheme is `.signature`.
    func receiptSignatureVerifier(for route: RouteConfiguration) -> any WebhookVerifier
    /// Its status words and what they mean (for the README's table and its test).
    var statusTables: [ReceiptStatusTable] { get }
}

extension SendProvider {
    public func receiptSignatureVerifier(for route: RouteConfiguration) -> any WebhookVerifier {
        RefusingHook(reason: "provider \(route.provider) has no signature")
    }
}

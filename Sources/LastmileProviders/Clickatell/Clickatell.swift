import LastmileConfig

extension ProviderKind {
    public static let clickatell = ProviderKind("clickatell")
}

/// Clickatell's One API: messages sent with the account's API key, status callbacks to the URL
/// set in Clickatell's portal (which carries `?token=…`, as Clickatell does not sign them).
public struct Clickatell: SendProvider {
    public init() {}

    public var providerTraits: ProviderTraits {
        ProviderTraits(kind: .clickatell, requiredCredentials: ["api_key"], receiptMethods: ["POST"])
    }

    public var statusTables: [ReceiptStatusTable] { [.clickatell] }

    public func adapter(for route: RouteConfiguration, timeout: Double) -> (any SendAdapter)? {
        ClickatellSendAdapter(route: route, timeout: timeout)
    }

    public func receiptParser(for route: RouteConfiguration) -> any ReceiptParser { ClickatellReceiptParser() }
}

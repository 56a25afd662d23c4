import LastmileConfig

extension ProviderKind {
    public static let infobip = ProviderKind("infobip")
}

/// Infobip: the SMS API on the account's own base URL, and its delivery reports.
public struct Infobip: SendProvider {
    public init() {}

    public var providerTraits: ProviderTraits {
        ProviderTraits(kind: .infobip, requiredCredentials: ["api_key"], needsAPIURL: true, receiptMethods: ["POST"])
    }

    public var statusTables: [ReceiptStatusTable] { [.infobip] }

    public func adapter(for route: RouteConfiguration, timeout: Double) -> (any SendAdapter)? {
        InfobipSendAdapter(route: route, timeout: timeout)
    }

    public func receiptParser(for route: RouteConfiguration) -> any ReceiptParser { InfobipReceiptParser() }
}

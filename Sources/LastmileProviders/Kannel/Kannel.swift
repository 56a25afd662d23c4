import LastmileConfig

extension ProviderKind {
    public static let kannel = ProviderKind("kannel")
}

/// Kannel: an SMS gateway's sendsms service on its own host, and its dlr-url reports, which
/// often carry the SMSC's SMPP receipt.
public struct Kannel: SendProvider {
    public init() {}

    public var providerTraits: ProviderTraits {
        ProviderTraits(kind: .kannel, requiredCredentials: ["username", "password"], optionalCredentials: ["smsc"],
                       needsAPIURL: true, receiptMethods: ["GET", "POST"])
    }

    public var statusTables: [ReceiptStatusTable] { [.kannel, .smpp] }

    public func adapter(for route: RouteConfiguration, timeout: Double) -> (any SendAdapter)? {
        KannelSendAdapter(route: route, timeout: timeout)
    }

    public func receiptParser(for route: RouteConfiguration) -> any ReceiptParser { KannelReceiptParser() }
}

import LastmileConfig

extension ProviderKind {
    public static let messagebird = ProviderKind("messagebird")
}

/// MessageBird (Bird): the SMS API and status reports by GET.
public struct MessageBird: SendProvider {
    public init() {}

    public var providerTraits: ProviderTraits {
        ProviderTraits(kind: .messagebird, requiredCredentials: ["access_key"], receiptMethods: ["GET", "POST"])
    }

    public var statusTables: [ReceiptStatusTable] { [.messagebird] }

    public func adapter(for route: RouteConfiguration, timeout: Double) -> (any SendAdapter)? {
        MessageBirdSendAdapter(route: route, timeout: timeout)
    }

    public func receiptParser(for route: RouteConfiguration) -> any ReceiptParser { MessageBirdReceiptParser() }
}

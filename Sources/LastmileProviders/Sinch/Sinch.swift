import LastmileConfig

extension ProviderKind {
    public static let sinch = ProviderKind("sinch")
}

/// Sinch: the SMS REST API and per-recipient delivery reports.
public struct Sinch: SendProvider {
    public init() {}

    public var providerTraits: ProviderTraits {
        ProviderTraits(kind: .sinch, requiredCredentials: ["service_plan_id", "api_token"], receiptMethods: ["POST"])
    }

    public var statusTables: [ReceiptStatusTable] { [.sinch] }

    public func adapter(for route: RouteConfiguration, timeout: Double) -> (any SendAdapter)? {
        SinchSendAdapter(route: route, timeout: timeout)
    }

    public func receiptParser(for route: RouteConfiguration) -> any ReceiptParser { SinchReceiptParser() }
}

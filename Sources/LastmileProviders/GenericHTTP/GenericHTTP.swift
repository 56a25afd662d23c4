import LastmileConfig

extension ProviderKind {
    public static let http = ProviderKind("http")
}

/// Any HTTP send API the route describes itself (`[route.request]`, `[route.response]`,
/// `[route.receipt]`), with receipts as fields, Jasmin's DLR form or a bare SMPP receipt text.
public struct GenericHTTP: SendProvider {
    public init() {}

    public var providerTraits: ProviderTraits {
        ProviderTraits(kind: .http, requiredCredentials: [], receiptMethods: ["GET", "POST"], describesItsShape: true)
    }

    public var statusTables: [ReceiptStatusTable] { [.smpp] }

    public func adapter(for route: RouteConfiguration, timeout: Double) -> (any SendAdapter)? {
        route.http.map { GenericHTTPSendAdapter(route: route, specification: $0, timeout: timeout) }
    }

    public func receiptParser(for route: RouteConfiguration) -> any ReceiptParser {
        switch route.http?.receiptFormat {
        case .jasmin?: return JasminReceiptParser()
        case .smpp?: return SMPPTextReceiptParser()
        case .fields?, nil: return GenericReceiptParser(specification: route.http)
        }
    }
}

import LastmileConfig

extension ProviderKind {
    public static let plivo = ProviderKind("plivo")
}

/// Plivo: the Message API and status callbacks signed with `X-Plivo-Signature-V3` over the URL.
public struct Plivo: SendProvider {
    public init() {}

    public var providerTraits: ProviderTraits {
        ProviderTraits(kind: .plivo, requiredCredentials: ["auth_id", "auth_token"], receiptMethods: ["POST"],
                       receiptSignature: .overURL(header: "X-Plivo-Signature-V3"))
    }

    public var statusTables: [ReceiptStatusTable] { [.plivo] }

    public func adapter(for route: RouteConfiguration, timeout: Double) -> (any SendAdapter)? {
        PlivoSendAdapter(route: route, timeout: timeout)
    }

    public func receiptParser(for route: RouteConfiguration) -> any ReceiptParser { PlivoReceiptParser() }

    public func receiptSignatureVerifier(for route: RouteConfiguration) -> any WebhookVerifier {
        route.credentials["auth_token"].map { PlivoSignatureVerifier(authToken: $0.reveal()) } ?? RefusingHook(reason: "no auth_token")
    }
}

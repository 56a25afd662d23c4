import Foundation

/// Whether a hook must prove who calls it. Hooks face the internet, so `required` is the
/// default and an open hook has to be asked for by name.
public enum HookAuthMode: String, Sendable, Hashable, CaseIterable {
    /// The provider's signature or a bearer token, refused when neither is configured.
    case required
    /// Anyone may call the hook: `auth = "none"`.
    case none
}

/// How a hook checks its callers, as decided from the configuration.
public enum HookScheme: Sendable, Hashable {
    /// The provider's own signature over the request (the named header).
    case signature(header: String)
    /// A shared token as `Authorization: Bearer …` or `?token=…`.
    case bearerToken
    /// Nothing: the configuration says `auth = "none"`.
    case open
    /// Required but impossible with this configuration; every request is refused.
    case unavailable(reason: String)
}

extension RouteConfiguration {
    /// How `/hooks/receipts/{name}` checks its callers, given the public URL (signatures over
    /// the URL need it).
    public func receiptHookScheme(publicURL: URL?) -> HookScheme {
        if auth == .none { return .open }
        switch traits.receiptSignature {
        case .always(let header):
            return .signature(header: header)
        case .overURL(let header):
            guard publicURL != nil else {
                return .unavailable(reason: "provider \(provider) signs its receipts over the URL it calls (\(header)); "
                                    + "set [server] public_url so they can be checked")
            }
            return .signature(header: header)
        case .withCredential(let credential, let header) where credentials[credential] != nil:
            return .signature(header: header)
        case .withCredential, .none:
            guard hookSecret != nil else {
                return .unavailable(reason: "its receipt hook /hooks/receipts/\(name) would accept anyone's receipts; set hook_secret "
                                    + "(providers present it as ?token=… in the callback URL Lastmile gives them)")
            }
            return .bearerToken
        }
    }

    /// Methods the provider calls the receipt hook with.
    public var receiptMethods: [String] { traits.receiptMethods }
}

extension ReceiverConfiguration {
    /// How `/hooks/arrivals/{name}` checks its callers; nil for spool sources, which take no webhooks.
    public func arrivalHookScheme(publicURL: URL?) -> HookScheme? {
        if sourceTraits.isSpool { return nil }
        if auth == .none { return .open }
        guard secret != nil else {
            return .unavailable(reason: "its arrival hook /hooks/arrivals/\(name) would accept anyone's arrivals, so a forged "
                                + "report could hide a lost canary; set secret (its \(sourceTraits.secretMeaning))")
        }
        switch sourceTraits.signature {
        case .overURL(let header):
            guard publicURL != nil else {
                return .unavailable(reason: "source \(source) signs over the URL it calls (\(header)); set [server] public_url")
            }
            return .signature(header: header)
        case .always(let header), .withCredential(_, let header):
            return .signature(header: header)
        case .none:
            return .bearerToken
        }
    }

    /// Methods the source calls the arrival hook with.
    public var arrivalMethods: [String] { sourceTraits.methods }
}

/// Characters a hook token may hold: it travels in the callback URLs Lastmile gives providers,
/// some of which (Kannel's dlr-url) treat `%` as their own escape.
enum HookToken {
    static let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~")

    static func isValid(_ text: String) -> Bool { text.allSatisfy(allowed.contains) }
}

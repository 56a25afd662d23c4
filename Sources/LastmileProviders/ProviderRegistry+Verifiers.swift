import Foundation
import LastmileConfig

/// Which check each hook gets: the provider's own signature where it has one, a bearer token
/// otherwise. A hook is open only when its configuration says `auth = "none"`; one whose check
/// cannot be built refuses every request rather than falling back to none.
extension ProviderRegistry {
    /// The check for `/hooks/receipts/{route}`. Signatures that cover the URL need `public_url`.
    public func receiptVerifier(for route: RouteConfiguration, publicURL: URL?) -> any WebhookVerifier {
        switch route.receiptHookScheme(publicURL: publicURL) {
        case .open:
            return OpenHook()
        case .unavailable(let reason):
            return RefusingHook(reason: reason)
        case .bearerToken:
            return route.hookSecret.map { BearerTokenVerifier(token: $0.reveal()) } ?? RefusingHook(reason: "no hook_secret")
        case .signature:
            return provider(route.provider)?.receiptSignatureVerifier(for: route)
                ?? RefusingHook(reason: "provider \(route.provider) is unknown")
        }
    }

    /// The check for `/hooks/arrivals/{receiver}`; the receiver's `secret` is the token or signing key.
    public func arrivalVerifier(for receiver: ReceiverConfiguration, publicURL: URL?) -> any WebhookVerifier {
        switch receiver.arrivalHookScheme(publicURL: publicURL) {
        case nil:
            return RefusingHook(reason: "receiver \(receiver.name) reads a spool folder and takes no webhooks")
        case .open?:
            return OpenHook()
        case .unavailable(let reason)?:
            return RefusingHook(reason: reason)
        case .bearerToken?, .signature?:
            guard let secret = receiver.secret?.reveal() else { return RefusingHook(reason: "no secret") }
            guard case .webhook(let intake)? = source(receiver.source)?.intake else {
                return RefusingHook(reason: "source \(receiver.source) takes no webhooks")
            }
            return intake.verifier(secret)
        }
    }

    /// The hooks of `configuration` that refuse every call, with why: a secret that is not the key
    /// its source needs, a signature that needs `public_url`. Said at start and by `lastmile check`,
    /// since otherwise only the sender's failed calls show it.
    public func refusingHooks(in configuration: LastmileConfiguration) -> [(hook: String, reason: String)] {
        let publicURL = configuration.server.publicURL
        var refusing: [(hook: String, reason: String)] = []
        for route in configuration.routes {
            if let refusal = receiptVerifier(for: route, publicURL: publicURL) as? RefusingHook {
                refusing.append(("/hooks/receipts/\(route.name)", refusal.reason))
            }
        }
        for receiver in configuration.receivers where receiver.arrivalHookScheme(publicURL: publicURL) != nil {
            if let refusal = arrivalVerifier(for: receiver, publicURL: publicURL) as? RefusingHook {
                refusing.append(("/hooks/arrivals/\(receiver.name)", refusal.reason))
            }
        }
        return refusing
    }
}

import Foundation
import LastmileConfig

/// Which check each hook gets: the provider's own signature where it has one, a bearer token
/// otherwise. A hook is open only when its configuration says `auth = "none"`; one whose check
/// cannot be built refuses every request rather than falling back to none.
public enum WebhookVerifiers {
    /// The check for `/hooks/receipts/{route}`. Signatures that cover the URL need `public_url`.
    public static func receipts(of route: RouteConfiguration, publicURL: URL?) -> any WebhookVerifier {
        switch route.receiptHookScheme(publicURL: publicURL) {
        case .open:
            return OpenHook()
        case .unavailable(let reason):
            return RefusingHook(reason: reason)
        case .bearerToken:
            return route.hookSecret.map { BearerTokenVerifier(token: $0.reveal()) } ?? RefusingHook(reason: "no hook_secret")
        case .signature:
            switch route.provider {
            case .twilio:
                return route.credentials["auth_token"].map { TwilioSignatureVerifier(authToken: $0.reveal()) }
                    ?? RefusingHook(reason: "no auth_token")
            case .plivo:
                return route.credentials["auth_token"].map { PlivoSignatureVerifier(authToken: $0.reveal()) }
                    ?? RefusingHook(reason: "no auth_token")
            case .telnyx:
                return route.credentials["public_key"].flatMap { TelnyxSignatureVerifier(publicKeyBase64: $0.reveal()) }
                    ?? RefusingHook(reason: "public_key is not a base64 Ed25519 key")
            case .vonage, .sinch, .infobip, .messagebird, .kannel, .http:
                return RefusingHook(reason: "provider \(route.provider.rawValue) has no signature")
            }
        }
    }

    /// The check for `/hooks/arrivals/{receiver}`; the receiver's `secret` is the token or signing key.
    public static func arrivals(at receiver: ReceiverConfiguration, publicURL: URL?) -> any WebhookVerifier {
        switch receiver.arrivalHookScheme(publicURL: publicURL) {
        case nil:
            return RefusingHook(reason: "receiver \(receiver.name) reads a spool folder and takes no webhooks")
        case .open?:
            return OpenHook()
        case .unavailable(let reason)?:
            return RefusingHook(reason: reason)
        case .bearerToken?, .signature?:
            guard let secret = receiver.secret?.reveal() else { return RefusingHook(reason: "no secret") }
            switch receiver.source {
            case .twilio: return TwilioSignatureVerifier(authToken: secret)
            case .androidSMSGateway: return AndroidSMSGatewayVerifier(signingKey: secret)
            case .telnyx: return TelnyxSignatureVerifier(publicKeyBase64: secret) ?? BearerTokenVerifier(token: secret)
            case .httpSMS: return HTTPSMSVerifier(signingKey: secret)
            case .vonage, .json, .smstools, .gammu: return BearerTokenVerifier(token: secret)
            }
        }
    }
}

import Foundation
import LastmileConfig

/// Which check each hook gets: the provider's own signature where it has one,
/// a bearer token otherwise, nothing when no secret is configured.
public enum WebhookVerifiers {
    /// The check for `/hooks/receipts/{route}`. Signatures that cover the URL need `public_url`.
    public static func receipts(of route: RouteConfiguration, publicURL: URL?) -> any WebhookVerifier {
        let fallback: any WebhookVerifier = route.hookSecret.map { BearerTokenVerifier(token: $0.reveal()) } ?? OpenHook()
        switch route.provider {
        case .twilio:
            guard publicURL != nil, let token = route.credentials["auth_token"] else { return fallback }
            return TwilioSignatureVerifier(authToken: token.reveal())
        case .plivo:
            guard publicURL != nil, let token = route.credentials["auth_token"] else { return fallback }
            return PlivoSignatureVerifier(authToken: token.reveal())
        case .telnyx:
            return route.credentials["public_key"].flatMap { TelnyxSignatureVerifier(publicKeyBase64: $0.reveal()) } ?? fallback
        default:
            return fallback
        }
    }

    /// The check for `/hooks/arrivals/{receiver}`; the receiver's `secret` is the token or signing key.
    public static func arrivals(at receiver: ReceiverConfiguration, publicURL: URL?) -> any WebhookVerifier {
        guard let secret = receiver.secret?.reveal() else { return OpenHook() }
        switch receiver.source {
        case .twilio: return TwilioSignatureVerifier(authToken: secret)
        case .androidSMSGateway: return AndroidSMSGatewayVerifier(signingKey: secret)
        case .telnyx: return TelnyxSignatureVerifier(publicKeyBase64: secret) ?? BearerTokenVerifier(token: secret)
        case .httpSMS: return HTTPSMSVerifier(signingKey: secret)
        default: return BearerTokenVerifier(token: secret)
        }
    }
}

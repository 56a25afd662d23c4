/// The send adapters a route may use.
public enum ProviderKind: String, CaseIterable, Hashable, Sendable {
    case twilio, vonage, plivo, telnyx, sinch, infobip, messagebird, kannel, http

    /// Credential keys the provider's API needs.
    public var requiredCredentials: [String] {
        switch self {
        case .twilio: return ["account_sid", "auth_token"]
        case .vonage: return ["api_key", "api_secret"]
        case .plivo: return ["auth_id", "auth_token"]
        case .telnyx: return ["api_key"]
        case .sinch: return ["service_plan_id", "api_token"]
        case .infobip: return ["api_key"]
        case .messagebird: return ["access_key"]
        case .kannel: return ["username", "password"]
        case .http: return []
        }
    }

    /// Credential keys the provider may also take.
    public var optionalCredentials: [String] {
        switch self {
        case .telnyx: return ["messaging_profile_id", "public_key"]
        case .vonage: return ["signature_secret"]
        case .kannel: return ["smsc"]
        default: return []
        }
    }

    /// Whether the provider has no single public endpoint, so `api_url` is required.
    public var needsAPIURL: Bool {
        switch self {
        case .infobip, .kannel: return true
        default: return false
        }
    }
}

/// How a receiver reports arrivals.
public enum ArrivalSourceKind: String, CaseIterable, Hashable, Sendable {
    case twilio, vonage, telnyx
    case androidSMSGateway = "android-sms-gateway"
    case httpSMS = "httpsms"
    case json, smstools, gammu

    /// Sources read from a modem's spool folder rather than a webhook.
    public var isSpool: Bool { self == .smstools || self == .gammu }
}

/// Where alert notifications go.
public enum NotifierKind: String, CaseIterable, Hashable, Sendable {
    case alertmanager, webhook, command
}

/// How a sender signs the requests it makes to a hook, as far as the configuration must know.
public enum HookSignature: Sendable, Hashable {
    /// No signature of its own: the hook takes a bearer token (`Authorization` or `?token=…`).
    case none
    /// Signed over the URL it calls, in the named header, so `[server] public_url` is needed.
    case overURL(header: String)
    /// Signed in the named header when the route's credentials hold `credential`; a bearer token otherwise.
    case withCredential(String, header: String)
    /// Always signed with the receiver's `secret`, in the named header.
    case always(header: String)
}

import Foundation
import HTTP

/// Plivo's V3 signature (`X-Plivo-Signature-V3`, `X-Plivo-Signature-V3-Nonce`): base64
/// HMAC-SHA256, keyed by the auth token, of the URL with its query sorted, the sorted POST
/// parameters, and the nonce. The header may hold several signatures, comma-separated.
public struct PlivoSignatureVerifier: WebhookVerifier {
    let authToken: [UInt8]

    public init(authToken: String) {
        self.authToken = Array(authToken.utf8)
    }

    /// The string Plivo signs, for a request to `url` with `method` and its POST parameters.
    public static func signedText(url: URL, method: String, postParameters: [(String, String)], nonce: String) -> String {
        var components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        let query = (components?.queryItems ?? []).map { ($0.name, $0.value ?? "") }
            .sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        components?.query = nil
        var base = components?.string ?? url.absoluteString
        let hasPost = !postParameters.isEmpty
        if !query.isEmpty || hasPost { base += "?" + query }
        if !query.isEmpty && hasPost { base += "." }
        if method != "GET" {
            base += postParameters.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map { $0.0 + $0.1 }.joined()
        }
        return base + "." + nonce
    }

    public func check(_ request: HTTPRequest, url: URL?, now: Date) -> ReportError? {
        guard let header = request.headers["X-Plivo-Signature-V3"], let nonce = request.headers["X-Plivo-Signature-V3-Nonce"] else {
            return ReportError(.unauthorized, "missing X-Plivo-Signature-V3 or its nonce")
        }
        guard let url else { return ReportError(.forbidden, "cannot check X-Plivo-Signature-V3 without [server] public_url") }
        let post: [(String, String)]
        switch SignedForm.fields(of: request) {
        case .success(let fields): post = fields
        case .failure(let refusal): return refusal
        }
        let text = Self.signedText(url: url, method: request.method, postParameters: post, nonce: nonce)
        let expected = Array(Crypto.base64(Crypto.hmac(.sha256, key: authToken, message: Array(text.utf8))).utf8)
        let matches = header.split(separator: ",").contains { Crypto.constantTimeEqual(Array($0.trimmingCharacters(in: .whitespaces).utf8), expected) }
        return matches ? nil : ReportError(.forbidden, "X-Plivo-Signature-V3 does not match")
    }
}

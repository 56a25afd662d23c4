import Foundation
import HTTP
import LastmileTestSupport
import Testing
@testable import LastmileProviders

/// Runs the openssl command line: an implementation independent of ours, to produce test vectors.
func openssl(_ arguments: [String], input: [UInt8] = []) async throws -> [UInt8] {
    let run = try await BuiltProducts.run(executable: URL(fileURLWithPath: "/usr/bin/openssl"), arguments,
                                          input: String(decoding: input, as: UTF8.self))
    #expect(run.status == 0, "openssl \(arguments): \(run.error)")
    return Array(run.outputData)
}

func request(_ target: String, method: String = "POST", headers: [(String, String)] = [], body: String = "") -> HTTPRequest {
    HTTPRequest(head: HTTPRequestHead(method: method, target: target, headers: HTTPHeaders(headers)), body: Array(body.utf8))
}

@Suite struct VerifierTests {
    let now = Date(timeIntervalSince1970: 1_741_912_196)

    /// The example of https://www.twilio.com/docs/usage/webhooks/webhooks-security (auth token 12345).
    @Test func twilioSignatureMatchesTheDocumentedExample() {
        let parameters = [("CallSid", "CA1234567890ABCDE"), ("Caller", "+12349013030"), ("Digits", "1234"),
                          ("From", "+12349013030"), ("To", "+18005551212")]
        #expect(TwilioSignatureVerifier.signature(url: "https://mycompany.com/myapp.php?foo=1&bar=2", parameters: parameters,
                                                  authToken: "12345") == "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
        let body = parameters.map { "\($0.0)=\(PercentEncoding.encode($0.1))" }.joined(separator: "&")
        let verifier = TwilioSignatureVerifier(authToken: "12345")
        let url = URL(string: "https://mycompany.com/myapp.php?foo=1&bar=2")!
        #expect(verifier.check(request("/myapp.php?foo=1&bar=2", headers: [("X-Twilio-Signature", "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")],
                                       body: body), url: url, now: now) == nil)
        #expect(verifier.check(request("/myapp.php?foo=1&bar=2", headers: [("X-Twilio-Signature", "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")],
                                       body: body + "&Extra=1"), url: url, now: now)?.status == .forbidden)
        #expect(verifier.check(request("/myapp.php", body: body), url: url, now: now)?.status == .unauthorized)
    }

    @Test func aSignedFormOfHalfAMillionFieldsIsRefusedBeforeItIsDecoded() {
        let flood = String(repeating: "a&", count: 524_288)
        let url = URL(string: "https://probe.example.net/hooks/receipts/twilio")!
        let twilio = TwilioSignatureVerifier(authToken: "12345").check(
            request("/hooks/receipts/twilio", headers: [("X-Twilio-Signature", "x")], body: flood), url: url, now: now)
        #expect(twilio?.status == .contentTooLarge)
        let plivo = PlivoSignatureVerifier(authToken: "plivo-token").check(
            request("/hooks/receipts/plivo", headers: [("X-Plivo-Signature-V3", "x"), ("X-Plivo-Signature-V3-Nonce", "1")], body: flood),
            url: url, now: now)
        #expect(plivo?.status == .contentTooLarge)
        // As many fields as a form may have is still checked, and refused for its signature only.
        let most = String(repeating: "a&", count: SignedForm.fieldLimit - 1)
        #expect(TwilioSignatureVerifier(authToken: "12345").check(
            request("/hooks/receipts/twilio", headers: [("X-Twilio-Signature", "x")], body: most), url: url, now: now)?.status == .forbidden)
    }

    @Test func androidSMSGatewaySignatureAgreesWithOpenSSLAndRefusesStaleTimestamps() async throws {
        // The body of the example in android-sms-gateway discussion #200 (the project's answer on signing).
        let body = #"{"deviceId":"ffffffffceb0b1db00000193991c27e5","event":"sms:received","id":"-9qZ4oiiZZRm-h_A3mrp2","payload":{"message":"Android is always a sweet treat!","receivedAt":"2025-03-14T07:29:55.000+07:00","messageId":"69bde8d0","phoneNumber":"6505551212","simNumber":1},"webhookId":"LreFUt-Z3sSq0JufY9uWB"}"#
        let timestamp = "1741912196"
        let expected = try await openssl(["dgst", "-sha256", "-hmac", "signing-key", "-r"], input: Array((body + timestamp).utf8))
        let hex = String(decoding: expected, as: UTF8.self).split(separator: " ")[0]
        #expect(AndroidSMSGatewayVerifier.signature(body: Array(body.utf8), timestamp: timestamp, signingKey: "signing-key") == hex)
        let verifier = AndroidSMSGatewayVerifier(signingKey: "signing-key")
        let good = request("/hooks/arrivals/p", headers: [("X-Signature", String(hex)), ("X-Timestamp", timestamp)], body: body)
        #expect(verifier.check(good, url: nil, now: now) == nil)
        #expect(verifier.check(good, url: nil, now: now.addingTimeInterval(301))?.reason.contains("stale") == true)
        let tampered = request("/hooks/arrivals/p", headers: [("X-Signature", String(hex)), ("X-Timestamp", timestamp)], body: body + " ")
        #expect(verifier.check(tampered, url: nil, now: now)?.status == .forbidden)
        #expect(verifier.check(request("/x", body: body), url: nil, now: now)?.status == .unauthorized)
    }

    @Test func plivoV3SignatureAgreesWithOpenSSL() async throws {
        let url = URL(string: "https://probe.example.net/hooks/receipts/plivo?b=2&a=1")!
        let post = [("Status", "delivered"), ("MessageUUID", "db3ce55a-7f1d-11e1-8ea7-1231380bc196")]
        let nonce = "05429567804466091622"
        let text = PlivoSignatureVerifier.signedText(url: url, method: "POST", postParameters: post, nonce: nonce)
        #expect(text == "https://probe.example.net/hooks/receipts/plivo?a=1&b=2.MessageUUIDdb3ce55a-7f1d-11e1-8ea7-1231380bc196Statusdelivered.05429567804466091622")
        let digest = try await openssl(["dgst", "-sha256", "-hmac", "plivo-token", "-binary"], input: Array(text.utf8))
        let signature = Crypto.base64(digest)
        let body = "Status=delivered&MessageUUID=db3ce55a-7f1d-11e1-8ea7-1231380bc196"
        let verifier = PlivoSignatureVerifier(authToken: "plivo-token")
        let headers = [("X-Plivo-Signature-V3", "stale-one,\(signature)"), ("X-Plivo-Signature-V3-Nonce", nonce)]
        #expect(verifier.check(request("/hooks/receipts/plivo?b=2&a=1", headers: headers, body: body), url: url, now: now) == nil)
        #expect(verifier.check(request("/hooks/receipts/plivo?b=2&a=1", headers: [headers[0], ("X-Plivo-Signature-V3-Nonce", "1")], body: body),
                               url: url, now: now)?.status == .forbidden)
    }

    @Test func telnyxEd25519AgreesWithOpenSSL() async throws {
        let directory = try TemporaryDirectory()
        let keyPath = directory.path("key.pem")
        _ = try await openssl(["genpkey", "-algorithm", "ed25519", "-out", keyPath])
        let der = try await openssl(["pkey", "-in", keyPath, "-pubout", "-outform", "DER"])
        let publicKey = Array(der.suffix(32))
        let body = #"{"data":{"event_type":"message.received","id":"b301ed3f-1490-491f-995f-6e64e69674d4"}}"#
        let timestamp = "1741912196"
        let messagePath = try directory.write("message", "\(timestamp)|\(body)")
        let signature = try await openssl(["pkeyutl", "-sign", "-inkey", keyPath, "-rawin", "-in", messagePath])
        let verifier = try #require(TelnyxSignatureVerifier(publicKeyBase64: Crypto.base64(publicKey)))
        let headers = [("telnyx-signature-ed25519", Crypto.base64(signature)), ("telnyx-timestamp", timestamp)]
        #expect(verifier.check(request("/h", headers: headers, body: body), url: nil, now: now) == nil)
        #expect(verifier.check(request("/h", headers: headers, body: body + " "), url: nil, now: now)?.status == .forbidden)
        #expect(verifier.check(request("/h", headers: headers, body: body), url: nil, now: now.addingTimeInterval(-400))?.status == .forbidden)
        #expect(TelnyxSignatureVerifier(publicKeyBase64: "not a key") == nil)
        // The key in its DER form, as openssl writes it, is the same key.
        let fromDER = try #require(TelnyxSignatureVerifier(publicKeyBase64: Crypto.base64(der)))
        #expect(fromDER.check(request("/h", headers: headers, body: body), url: nil, now: now) == nil)
        // A receiver whose secret is no key refuses every call; it never falls back to a bearer
        // token, which anyone who knows the (public) key could send.
        let misconfigured = Telnyx.arrivalVerifier(secret: "not a key")
        #expect(misconfigured.check(request("/h", headers: [("Authorization", "Bearer not a key")], body: body), url: nil, now: now)?
            .status == .forbidden)
    }

    @Test func httpSMSJWTIsCheckedWithTheSigningKey() throws {
        func segment(_ object: [String: Any]) throws -> String {
            Crypto.base64(Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])))
                .replacingOccurrences(of: "=", with: "").replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        }
        let header = try segment(["alg": "HS256", "typ": "JWT"])
        let claims = try segment(["iss": "api.httpsms.com", "exp": now.timeIntervalSince1970 + 600])
        let signature = Crypto.base64(Crypto.hmac(.sha256, key: Array("jwt-key".utf8), message: Array("\(header).\(claims)".utf8)))
            .replacingOccurrences(of: "=", with: "").replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        let token = "\(header).\(claims).\(signature)"
        let verifier = HTTPSMSVerifier(signingKey: "jwt-key")
        #expect(verifier.check(request("/h", headers: [("Authorization", "Bearer \(token)")]), url: nil, now: now) == nil)
        #expect(verifier.check(request("/h", headers: [("Authorization", "Bearer \(token)")]), url: nil, now: now.addingTimeInterval(3_600))?
            .reason == "the JWT has expired")
        // A token without an expiry, or good for far longer than httpSMS's ten minutes, is refused.
        func signed(_ claims: [String: Any]) throws -> String {
            let body = try segment(claims)
            let signature = Crypto.base64(Crypto.hmac(.sha256, key: Array("jwt-key".utf8), message: Array("\(header).\(body)".utf8)))
                .replacingOccurrences(of: "=", with: "").replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            return "Bearer \(header).\(body).\(signature)"
        }
        #expect(verifier.check(request("/h", headers: [("Authorization", try signed(["iss": "api.httpsms.com"]))]), url: nil, now: now)?
            .reason == "the JWT has no numeric exp")
        #expect(verifier.check(request("/h", headers: [("Authorization", try signed(["exp": "\(now.timeIntervalSince1970 + 600)"]))]),
                               url: nil, now: now)?.status == .forbidden)
        #expect(verifier.check(request("/h", headers: [("Authorization", try signed(["exp": now.timeIntervalSince1970 + 86_400]))]),
                               url: nil, now: now)?.status == .forbidden)
        #expect(HTTPSMSVerifier(signingKey: "other").check(request("/h", headers: [("Authorization", "Bearer \(token)")]), url: nil, now: now)?
            .status == .forbidden)
    }

    @Test func bearerTokensComeInTheHeaderOrTheQuery() {
        let verifier = BearerTokenVerifier(token: "s3cret")
        #expect(verifier.check(request("/h", headers: [("Authorization", "Bearer s3cret")]), url: nil, now: now) == nil)
        #expect(verifier.check(request("/h?token=s3cret", method: "GET"), url: nil, now: now) == nil)
        #expect(verifier.check(request("/h", headers: [("Authorization", "Bearer s3cre")]), url: nil, now: now)?.status == .forbidden)
        #expect(verifier.check(request("/h", headers: [("Authorization", "Basic czNjcmV0")]), url: nil, now: now)?.status == .unauthorized)
        #expect(verifier.check(request("/h"), url: nil, now: now)?.status == .unauthorized)
        #expect(Crypto.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!Crypto.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!Crypto.constantTimeEqual([1, 2, 3], [1, 2]))
    }
}

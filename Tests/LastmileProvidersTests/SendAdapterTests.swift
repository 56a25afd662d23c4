import Foundation
import HTTP
import LastmileConfig
import LastmileCore
import LastmileTestSupport
import Synchronization
import Testing
@testable import LastmileProviders

/// A provider on loopback that records the one request it gets and answers as told.
final class RecordingProvider: Sendable {
    let server: HTTPServer
    let port: UInt16
    private let seen = Mutex<[HTTPRequest]>([])
    private let reply = Mutex<(Int, String, Double)>((200, "", 0))

    init() throws {
        let seen = SeenBox()
        let reply = ReplyBox()
        server = HTTPServer { request in
            seen.append(request)
            let (status, body, delay) = reply.value
            if delay > 0 { try await Task.sleep(for: .seconds(delay)) }
            return HTTPResponse(status: HTTPStatus(status), headers: HTTPHeaders([("Content-Type", "application/json")]), body: Array(body.utf8))
        }
        port = try server.listen(host: "127.0.0.1", port: 0)
        self.seenBox = seen
        self.replyBox = reply
    }

    let seenBox: SeenBox
    let replyBox: ReplyBox

    func answer(_ status: Int, _ body: String, after delay: Double = 0) { replyBox.set((status, body, delay)) }
    var last: HTTPRequest? { seenBox.all.last }

    deinit { server.close() }
}

final class SeenBox: Sendable {
    private let storage = Mutex<[HTTPRequest]>([])
    func append(_ request: HTTPRequest) { storage.withLock { $0.append(request) } }
    var all: [HTTPRequest] { storage.withLock { $0 } }
}

final class ReplyBox: Sendable {
    private let storage = Mutex<(Int, String, Double)>((200, "", 0))
    func set(_ value: (Int, String, Double)) { storage.withLock { $0 = value } }
    var value: (Int, String, Double) { storage.withLock { $0 } }
}

/// One provider's expectations.
struct AdapterCase: Sendable, CustomTestStringConvertible {
    var provider: String
    var routeExtra: String
    var method: String
    var path: String
    var headers: [String: String]
    /// Fields the request must carry (form, query or top-level JSON; nested JSON by dotted path).
    var fields: [String: String]
    var success: (Int, String)
    var messageID: String?
    var rejection: (Int, String)

    var testDescription: String { provider }
}

@Suite(.serialized) struct SendAdapterTests {
    static let token = Token(payload: 0x12_3456_789A)
    static let message = OutboundMessage(canaryID: "c1", token: token, to: "+15551230001", from: "+15005550006",
                                         body: "Lastmile check \(token)", receiptCallback: URL(string: "https://probe.example.net/hooks/receipts/r"))
    static let callback = "https://probe.example.net/hooks/receipts/r?canary=\(token)"

    static let cases: [AdapterCase] = [
        AdapterCase(provider: "twilio", routeExtra: #"credentials = { account_sid = "AC123", auth_token = "tok" }"#,
                    method: "POST", path: "/2010-04-01/Accounts/AC123/Messages.json",
                    headers: ["Authorization": "Basic " + Data("AC123:tok".utf8).base64EncodedString(),
                              "Content-Type": "application/x-www-form-urlencoded"],
                    fields: ["To": "+15551230001", "From": "+15005550006", "Body": "Lastmile check \(token)", "StatusCallback": callback],
                    success: (201, #"{"sid":"SM1","status":"queued","price":null}"#), messageID: "SM1",
                    rejection: (400, #"{"code":21211,"message":"The 'To' number is not a valid phone number.","status":400}"#)),
        AdapterCase(provider: "vonage", routeExtra: #"credentials = { api_key = "abc", api_secret = "sec" }"#,
                    method: "POST", path: "/sms/json", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                    fields: ["api_key": "abc", "api_secret": "sec", "from": "15005550006", "to": "15551230001",
                             "text": "Lastmile check \(token)", "client-ref": token.description, "status-report-req": "1", "callback": callback],
                    success: (200, #"{"message-count":"1","messages":[{"to":"15551230001","message-id":"0A0000000123ABCD1","status":"0","message-price":"0.03330000","network":"12345"}]}"#),
                    messageID: "0A0000000123ABCD1",
                    rejection: (200, #"{"message-count":"1","messages":[{"status":"6","error-text":"Unroutable message - rejected"}]}"#)),
        AdapterCase(provider: "plivo", routeExtra: #"credentials = { auth_id = "MAXXX", auth_token = "pt" }"#,
                    method: "POST", path: "/v1/Account/MAXXX/Message/",
                    headers: ["Authorization": "Basic " + Data("MAXXX:pt".utf8).base64EncodedString(), "Content-Type": "application/json"],
                    fields: ["src": "+15005550006", "dst": "+15551230001", "text": "Lastmile check \(token)", "url": callback, "method": "POST"],
                    success: (202, #"{"api_id":"db342550","message":"message(s) queued","message_uuid":["db3ce55a-7f1d-11e1-8ea7-1231380bc196"]}"#),
                    messageID: "db3ce55a-7f1d-11e1-8ea7-1231380bc196",
                    rejection: (400, #"{"api_id":"db342550","error":"invalid destination number"}"#)),
        AdapterCase(provider: "telnyx", routeExtra: #"credentials = { api_key = "KEY0", messaging_profile_id = "mp-1" }"#,
                    method: "POST", path: "/v2/messages", headers: ["Authorization": "Bearer KEY0", "Content-Type": "application/json"],
                    fields: ["from": "+15005550006", "to": "+15551230001", "text": "Lastmile check \(token)",
                             "messaging_profile_id": "mp-1", "webhook_url": callback],
                    success: (200, #"{"data":{"id":"40385f64-5717-4562-b3fc-2c963f66afa6","to":[{"phone_number":"+15551230001","status":"queued","carrier":"T-MOBILE USA, INC."}],"cost":{"amount":"0.0051","currency":"USD"}}}"#),
                    messageID: "40385f64-5717-4562-b3fc-2c963f66afa6",
                    rejection: (400, #"{"errors":[{"code":"40310","title":"Invalid 'to' address","detail":"The 'to' address is invalid."}]}"#)),
        AdapterCase(provider: "sinch", routeExtra: #"credentials = { service_plan_id = "plan9", api_token = "stok" }"#,
                    method: "POST", path: "/xms/v1/plan9/batches", headers: ["Authorization": "Bearer stok", "Content-Type": "application/json"],
                    fields: ["from": "+15005550006", "to.0": "+15551230001", "body": "Lastmile check \(token)",
                             "delivery_report": "per_recipient", "client_reference": token.description, "callback_url": callback],
                    success: (201, #"{"id":"01FC66621XXXXX119Z8PMV1QPQ","to":["15551230001"],"canceled":false}"#),
                    messageID: "01FC66621XXXXX119Z8PMV1QPQ",
                    rejection: (400, #"{"code":"syntax_invalid_parameter_format","text":"Parameter 'to' has an invalid format"}"#)),
        AdapterCase(provider: "infobip", routeExtra: #"credentials = { api_key = "ikey" }"#,
                    method: "POST", path: "/sms/2/text/advanced", headers: ["Authorization": "App ikey", "Content-Type": "application/json"],
                    fields: ["messages.0.from": "+15005550006", "messages.0.destinations.0.to": "15551230001",
                             "messages.0.text": "Lastmile check \(token)", "messages.0.callbackData": token.description,
                             "messages.0.notifyUrl": callback],
                    success: (200, #"{"bulkId":"2034072219640523072","messages":[{"messageId":"2250be2d4219-3af1-78856-aabe-1362af1edfd2","status":{"groupId":1,"groupName":"PENDING","id":26,"name":"PENDING_ACCEPTED","description":"Message sent to next instance"},"to":"15551230001"}]}"#),
                    messageID: "2250be2d4219-3af1-78856-aabe-1362af1edfd2",
                    rejection: (200, #"{"messages":[{"messageId":"x","status":{"groupId":5,"groupName":"REJECTED","id":51,"name":"MISSING_TO","description":"Missing destination"}}]}"#)),
        AdapterCase(provider: "messagebird", routeExtra: #"credentials = { access_key = "mkey" }"#,
                    method: "POST", path: "/messages", headers: ["Authorization": "AccessKey mkey", "Content-Type": "application/json"],
                    fields: ["originator": "+15005550006", "recipients.0": "15551230001", "body": "Lastmile check \(token)",
                             "reference": token.description, "reportUrl": callback],
                    success: (201, #"{"id":"e8077d803532c0b5937c639b60216938","recipients":{"totalCount":1,"items":[{"recipient":15551230001,"status":"sent"}]}}"#),
                    messageID: "e8077d803532c0b5937c639b60216938",
                    rejection: (422, #"{"errors":[{"code":9,"description":"no (correct) recipients found","parameter":"recipient"}]}"#)),
        AdapterCase(provider: "kannel", routeExtra: #"credentials = { username = "kuser", password = "kpass" }"#,
                    method: "GET", path: "/cgi-bin/sendsms", headers: [:],
                    fields: ["username": "kuser", "password": "kpass", "from": "+15005550006", "to": "+15551230001",
                             "text": "Lastmile check \(token)", "dlr-mask": "31", "dlr-url": callback + "&status=%d&answer=%A&at=%T"],
                    success: (202, "0: Accepted for delivery"), messageID: nil,
                    rejection: (403, "Authorization failed for sendsms")),
        AdapterCase(provider: "clickatell", routeExtra: #"credentials = { api_key = "ckey==" }"#,
                    method: "POST", path: "/v1/message", headers: ["Authorization": "ckey==", "Content-Type": "application/json"],
                    fields: ["messages.0.channel": "sms", "messages.0.to": "15551230001", "messages.0.from": "15005550006",
                             "messages.0.content": "Lastmile check \(token)", "messages.0.clientMessageId": token.description],
                    success: (202, #"{"messages":[{"apiMessageId":"1d1c2f8e0e0c4d4aa6c1a8f1d0e3b2c1","accepted":true,"to":"15551230001","clientMessageId":"\#(token)"}],"error":null}"#),
                    messageID: "1d1c2f8e0e0c4d4aa6c1a8f1d0e3b2c1",
                    rejection: (202, #"{"messages":[{"accepted":false,"to":"15551230001","error":{"code":23,"description":"Invalid or missing parameter: to."}}],"error":null}"#)),
        AdapterCase(provider: "http", routeExtra: """
                    secret = "api-token"
                    [route.request]
                    method = "POST"
                    url = "{base}/api/v1/send_sms"
                    headers = { Authorization = "Bearer {secret}" }
                    json = { to = "{to}", text = "{body}", sender = "{from}", reference = "{token}" }
                    [route.response]
                    message_id = "messages.0.bx_message_id"
                    status = "messages.0.status"
                    accepted = ["QUEUED"]
                    [route.receipt]
                    delivered = ["DELIVRD"]
                    """,
                    method: "POST", path: "/api/v1/send_sms", headers: ["Authorization": "Bearer api-token", "Content-Type": "application/json"],
                    fields: ["to": "+15551230001", "text": "Lastmile check \(token)", "sender": "+15005550006", "reference": token.description],
                    success: (200, #"{"status":"success","order_id":7,"route_id":2,"messages":[{"bx_message_id":"bx-1","status":"QUEUED"}]}"#),
                    messageID: "bx-1",
                    rejection: (200, #"{"status":"error","messages":[{"status":"BLOCKED"}]}"#)),
    ]

    func route(_ adapterCase: AdapterCase, port: UInt16) throws -> RouteConfiguration {
        let text = """
            [[route]]
            name = "r"
            provider = "\(adapterCase.provider)"
            api_url = "http://127.0.0.1:\(port)"
            from = "+15005550006"
            auth = "none"
            \(adapterCase.routeExtra.replacingOccurrences(of: "{base}", with: "http://127.0.0.1:\(port)"))
            """
        let result = ConfigLoader.load(text: Array(text.utf8), path: "adapter.toml", catalogue: .standard, environment: [:])
        return try #require(result.configuration?.routes.first, "\(result.diagnostics)")
    }

    static func fields(of request: HTTPRequest) -> (String) -> String? {
        if let json = JSONPath.decode(Data(request.body)) { return { JSONPath.string(in: json, at: $0) } }
        let text = request.method == "GET" ? request.head.query : String(decoding: request.body, as: UTF8.self)
        let pairs = Dictionary(PercentEncoding.formFields(text).map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        return { pairs[$0] }
    }

    @Test(arguments: cases)
    func sendsTheExactRequestAndReadsEveryAnswer(adapterCase: AdapterCase) async throws {
        let provider = try RecordingProvider()
        let route = try route(adapterCase, port: provider.port)
        // Patient for the answers that come, however loaded the machine; hasty for the one that never does.
        let adapter = try #require(ProviderRegistry.standard.adapter(for: route, timeout: 60))
        let hasty = try #require(ProviderRegistry.standard.adapter(for: route, timeout: 1))
        let client = HTTPClient()

        // Success: the request is exactly what the provider documents.
        provider.answer(adapterCase.success.0, adapterCase.success.1)
        let request = try adapter.request(for: Self.message)
        let response = try await client.send(request)
        let success = adapter.answer(status: response.status, body: response.body)
        #expect(success.outcome == .accepted, "\(success)")
        #expect(success.providerMessageID == adapterCase.messageID)
        let seen = try #require(provider.last)
        #expect(seen.method == adapterCase.method)
        #expect(seen.path == adapterCase.path)
        for (name, value) in adapterCase.headers { #expect(seen.headers[name] == value, "header \(name)") }
        let field = Self.fields(of: seen)
        for (name, value) in adapterCase.fields { #expect(field(name) == value, "field \(name)") }

        // A refusal.
        provider.answer(adapterCase.rejection.0, adapterCase.rejection.1)
        let refused = try await client.send(try adapter.request(for: Self.message))
        let rejection = adapter.answer(status: refused.status, body: refused.body)
        #expect(rejection.outcome == .rejected, "\(rejection)")
        #expect(rejection.reason?.isEmpty == false)

        // A server error.
        provider.answer(503, #"{"error":"maintenance"}"#)
        let failed = try await client.send(try adapter.request(for: Self.message))
        #expect(adapter.answer(status: failed.status, body: failed.body).outcome == .error)

        // A 2xx that is not the provider's answer (a proxy's or a portal's page) says nothing about the message.
        provider.answer(200, "<html><body>Please sign in to use this network</body></html>")
        let portal = try await client.send(try adapter.request(for: Self.message))
        let page = adapter.answer(status: portal.status, body: portal.body)
        #expect(page.outcome == .error, "\(page)")
        #expect(page.reason?.contains("Please sign in") == true, "\(page)")

        // A provider that does not answer in time.
        provider.answer(200, adapterCase.success.1, after: 120)
        let slow = try hasty.request(for: Self.message)
        do throws(HTTPClient.Failure) {
            _ = try await client.send(slow)
            Issue.record("a silent provider answered")
        } catch {
            let answer = hasty.answer(failure: error)
            #expect(answer.outcome == .error)
            #expect(answer.reason == "timed out")
        }
    }

    @Test func aReasonQuotingTheAnswerHidesAnyTokenAndStaysOnOneLine() throws {
        let echoed = Data("bad request\nPOST /send?to=1&status_callback=https://probe.example/hooks/receipts/r?TOKEN=s3cret&x=1 \"token=abc\"".utf8)
        let excerpt = AdapterSupport.excerpt(echoed)
        #expect(excerpt == #"bad request POST /send?to=1&status_callback=https://probe.example/hooks/receipts/r?TOKEN=[hidden]&x=1 "token=[hidden]""#)
        #expect(AdapterSupport.excerpt(Data("token=".utf8)) == "token=")
        // A callback URL echoed inside a form-encoded request.
        #expect(AdapterSupport.excerpt(Data("StatusCallback=https%3A%2F%2Fp.example%2Fh%3Ftoken%3Ds3cret%26x%3D1".utf8))
                == "StatusCallback=https%3A%2F%2Fp.example%2Fh%3Ftoken%3D[hidden]%26x%3D1")
    }

    @Test func whatAProviderWritesIsBoundedHiddenAndOnOneLineBeforeItIsRecorded() throws {
        let adapterCase = Self.cases.first { $0.provider == "sinch" }!
        let adapter = try #require(ProviderRegistry.standard.adapter(for: try route(adapterCase, port: 9)))
        // An acceptance whose message id is megabytes long is no acceptance anyone documents.
        let huge = String(repeating: "x", count: 1 << 20)
        let flooded = adapter.recordedAnswer(status: 200, body: Data(#"{"id":"\#(huge)","text":"ok"}"#.utf8))
        #expect(flooded.outcome == .error)
        #expect(flooded.providerMessageID == nil)
        #expect(flooded.reason?.contains("1048576 bytes") == true, "\(flooded)")
        // A refusal that echoes the request: its reason keeps no secret, no line break, no megabytes.
        let echoed = "bad request\\nstatus_callback=https://probe.example/hooks/receipts/r?token=s3cret " + huge
        let refused = adapter.recordedAnswer(status: 400, body: Data(#"{"code":"40001","text":"\#(echoed)"}"#.utf8))
        let reason = try #require(refused.reason)
        #expect(refused.outcome == .rejected)
        #expect(!reason.contains("s3cret") && reason.contains("token=[hidden]"), "\(reason)")
        #expect(!reason.contains("\n") && reason.count <= SubmitAnswer.maximumReasonCharacters, "\(reason.count)")
        // What is short and plain passes unchanged.
        let plain = adapter.recordedAnswer(status: 200, body: Data(#"{"id":"01FC66621XXXXX119Z8PMV1QPQ"}"#.utf8))
        #expect(plain.outcome == .accepted && plain.providerMessageID == "01FC66621XXXXX119Z8PMV1QPQ")
    }

    @Test func aGenericRouteAnswerWithoutWhatItsPathsNameIsAnErrorNotARefusal() throws {
        let adapterCase = Self.cases.first { $0.provider == "http" }!
        let adapter = try #require(ProviderRegistry.standard.adapter(for: try route(adapterCase, port: 9)))
        func outcome(_ body: String) -> SubmitOutcome { adapter.answer(status: 200, body: Data(body.utf8)).outcome }
        #expect(outcome(#"{"messages":[{"bx_message_id":"bx-1","status":"QUEUED"}]}"#) == .accepted)
        #expect(outcome(#"{"messages":[{"bx_message_id":"bx-1","status":"BLOCKED"}]}"#) == .rejected)
        #expect(outcome(#"{"messages":[{"bx_message_id":"bx-1"}]}"#) == .error)
        #expect(outcome(#"{"messages":[{"status":"QUEUED"}]}"#) == .error)
        #expect(outcome("") == .error)
    }

    @Test func vonageReportsPriceAndNetwork() throws {
        let adapterCase = Self.cases.first { $0.provider == "vonage" }!
        let adapter = try #require(ProviderRegistry.standard.adapter(for: try route(adapterCase, port: 9)))
        let answer = adapter.answer(status: 200, body: Data(#"{"messages":[{"message-id":"m","status":"0","message-price":"0.0333","network":"23410"}]}"#.utf8))
        #expect(answer.price == "0.0333")
        #expect(answer.network == "23410")
        #expect(adapter.answer(status: 200, body: Data(#"{"messages":[{"status":"1","error-text":"Throttled"}]}"#.utf8)).outcome == .error)
    }
}

import Foundation
import HTTP
import LastmileConfig
import LastmileCore
import Testing
@testable import LastmileProviders

/// One inbound payload and what it must become.
struct PayloadCase: Sendable, CustomTestStringConvertible {
    var name: String
    /// Where the payload's shape comes from.
    var source: String
    var method = "POST"
    var target = "/hook"
    var contentType: String? = "application/json"
    var body: String
    var messageID: String? = nil
    var status: ReceiptStatus? = nil
    var rawStatus: String? = nil
    var token: Token? = nil
    var from: String? = nil
    var text: String? = nil
    var part: MessagePart? = nil

    var testDescription: String { name }

    var request: HTTPRequest {
        var headers: [(String, String)] = [("Host", "probe.example.net")]
        if let contentType { headers.append(("Content-Type", contentType)) }
        return HTTPRequest(head: HTTPRequestHead(method: method, target: target, headers: HTTPHeaders(headers)), body: Array(body.utf8))
    }
}

func route(_ provider: ProviderKind, receipt format: String? = nil) -> RouteConfiguration {
    var text = """
        [[route]]
        name = "r"
        provider = "\(provider.rawValue)"
        from = "+15005550006"
        api_url = "http://127.0.0.1:9"
        auth = "none"
        """
    let traits = ProviderRegistry.standard.provider(provider)!.providerTraits
    let credentials = traits.requiredCredentials.map { "\($0) = \"x\"" }.joined(separator: ", ")
    if !credentials.isEmpty { text += "\ncredentials = { \(credentials) }" }
    if provider == .http {
        text += "\n[route.request]\nurl = \"http://127.0.0.1:9/send\"\njson = { to = \"{to}\" }\n[route.receipt]\n"
        text += format.map { "format = \"\($0)\"\n" } ?? "delivered = [\"DELIVRD\"]\n"
    }
    let result = ConfigLoader.load(text: Array(text.utf8), path: "r.toml", catalogue: .standard, environment: [:])
    return result.configuration!.routes[0]
}

func receiver(_ source: ArrivalSourceKind) -> ReceiverConfiguration {
    let text = "[[receiver]]\nname = \"p\"\nnumber = \"+15551230001\"\ncarrier = \"C\"\nsource = \"\(source.rawValue)\"\n"
        + (ProviderRegistry.standard.source(source)!.sourceTraits.isSpool ? "spool = \"/tmp\"\n" : "auth = \"none\"\n")
    return ConfigLoader.load(text: Array(text.utf8), path: "p.toml", catalogue: .standard, environment: [:]).configuration!.receivers[0]
}

@Suite struct ReceiptParserTests {
    static let token = Token(payload: 0x0A_1B2C_3D4E)

    static let documented: [(ProviderKind, String?, PayloadCase)] = [
        (.twilio, nil, PayloadCase(name: "twilio sent", source: "https://www.twilio.com/docs/messaging/guides/track-outbound-message-status",
            contentType: "application/x-www-form-urlencoded",
            body: "SmsSid=SM2xxxxxx&SmsStatus=sent&MessageStatus=sent&To=%2B15558675310&MessageSid=SM2xxxxxx&AccountSid=ACxxxxxxx&From=%2B15017250604&ApiVersion=2010-04-01",
            messageID: "SM2xxxxxx", status: .pending, rawStatus: "sent")),
        (.twilio, nil, PayloadCase(name: "twilio undelivered", source: "https://www.twilio.com/docs/messaging/guides/track-outbound-message-status",
            target: "/hook?canary=\(token)", contentType: "application/x-www-form-urlencoded",
            body: "ErrorCode=30003&SmsSid=SM2xxxxxx&SmsStatus=undelivered&MessageStatus=undelivered&To=%2B15558675310&MessageSid=SM2xxxxxx&AccountSid=ACxxxxxxx&From=%2B15017250604&ApiVersion=2010-04-01",
            messageID: "SM2xxxxxx", status: .undelivered, rawStatus: "undelivered", token: token)),
        (.vonage, nil, PayloadCase(name: "vonage delivered", source: "https://developer.vonage.com/en/messaging/sms/guides/delivery-receipts",
            body: #"{"msisdn":"447700900000","to":"AcmeInc","network-code":"12345","messageId":"0A0000001234567B","price":"0.03330000","status":"delivered","scts":"2001011400","err-code":"0","api-key":"abcd1234","client-ref":"\#(token)","message-timestamp":"2020-01-01 12:00:00 +0000","timestamp":"1582650446","nonce":"ec11dd3e-1e7f-4db5-9467-82b02cd223b9"}"#,
            messageID: "0A0000001234567B", status: .delivered, rawStatus: "delivered", token: token)),
        (.vonage, nil, PayloadCase(name: "vonage expired (GET)", source: "https://developer.vonage.com/en/messaging/sms/guides/delivery-receipts",
            method: "GET", target: "/hook?msisdn=447700900000&to=AcmeInc&network-code=12345&messageId=0A0000001234567B&price=0.03330000&status=expired&scts=2001011400&err-code=5&message-timestamp=2020-01-01+12%3A00%3A00",
            contentType: nil, body: "", messageID: "0A0000001234567B", status: .expired, rawStatus: "expired")),
        (.plivo, nil, PayloadCase(name: "plivo delivered", source: "https://www.plivo.com/docs/messaging/concepts/callbacks",
            contentType: "application/x-www-form-urlencoded",
            body: "From=14155550100&To=14155550199&Status=delivered&MessageUUID=db3ce55a-7f1d-11e1-8ea7-1231380bc196&ErrorCode=000&TotalAmount=0.00500&TotalRate=0.00500&Units=1&ParentMessageUUID=db3ce55a-7f1d-11e1-8ea7-1231380bc196&PartInfo=1+of+1",
            messageID: "db3ce55a-7f1d-11e1-8ea7-1231380bc196", status: .delivered, rawStatus: "delivered")),
        (.plivo, nil, PayloadCase(name: "plivo undelivered", source: "https://www.plivo.com/docs/messaging/concepts/callbacks",
            contentType: "application/x-www-form-urlencoded",
            body: "From=14155550100&To=14155550199&Status=undelivered&MessageUUID=db3ce55a-7f1d-11e1-8ea7-1231380bc196&ErrorCode=200&Units=1",
            messageID: "db3ce55a-7f1d-11e1-8ea7-1231380bc196", status: .undelivered, rawStatus: "undelivered")),
        (.telnyx, nil, PayloadCase(name: "telnyx finalized", source: "https://developers.telnyx.com/docs/messaging/messages/receiving-webhooks",
            body: #"{"data":{"event_type":"message.finalized","id":"4ee8c3a6-4995-4309-a3c6-38e3db9ea4be","occurred_at":"2019-12-09T20:16:07.588+00:00","payload":{"completed_at":"2019-12-09T20:16:07.588+00:00","direction":"outbound","errors":[],"id":"7ee4241c-f127-47e5-9c34-3aac291f8058","to":[{"carrier":"T-MOBILE USA, INC.","line_type":"Wireless","phone_number":"+18445550001","status":"delivered"}],"type":"SMS"},"record_type":"event"},"meta":{"attempt":1,"delivered_to":"https://example.com/webhooks"}}"#,
            messageID: "7ee4241c-f127-47e5-9c34-3aac291f8058", status: .delivered, rawStatus: "delivered")),
        (.telnyx, nil, PayloadCase(name: "telnyx delivery failed", source: "https://developers.telnyx.com/docs/messaging/messages/receiving-webhooks",
            body: #"{"data":{"event_type":"message.finalized","id":"5a1c","occurred_at":"2019-12-09T20:16:07.588+00:00","payload":{"errors":[{"code":"40008","title":"Undeliverable"}],"id":"7ee4241c-f127-47e5-9c34-3aac291f8058","to":[{"phone_number":"+18445550001","status":"delivery_failed"}]},"record_type":"event"}}"#,
            messageID: "7ee4241c-f127-47e5-9c34-3aac291f8058", status: .undelivered, rawStatus: "delivery_failed")),
        (.sinch, nil, PayloadCase(name: "sinch delivered", source: "https://developers.sinch.com/docs/sms/api-reference/sms/tag/Delivery-reports",
            body: #"{"at":"2022-08-30T08:16:08.930Z","batch_id":"01FC66621VHDBN119Z8PMV1AHY","client_reference":"\#(token)","code":0,"operator_status_at":"2022-08-30T08:16:00.000Z","recipient":"12345678910","status":"Delivered","type":"recipient_delivery_report_sms"}"#,
            messageID: "01FC66621VHDBN119Z8PMV1AHY", status: .delivered, rawStatus: "Delivered", token: token)),
        (.sinch, nil, PayloadCase(name: "sinch failed", source: "https://developers.sinch.com/docs/sms/api-reference/sms/tag/Delivery-reports",
            body: #"{"at":"2022-08-30T08:16:08.930Z","batch_id":"01FC66621VHDBN119Z8PMV1AHY","code":401,"recipient":"12345678910","status":"Failed","type":"recipient_delivery_report_sms"}"#,
            messageID: "01FC66621VHDBN119Z8PMV1AHY", status: .failed, rawStatus: "Failed")),
        (.clickatell, nil, PayloadCase(name: "clickatell delivered", source: "https://docs.clickatell.com/channels/one-api/one-api-reference/",
            body: #"{"integrationName":"lastmile","messageId":"1d1c2f8e0e0c4d4aa6c1a8f1d0e3b2c1","clientMessageId":"\#(token)","to":"15551230001","status":"DEVICE_ACK","statusCode":4,"timestamp":1700000000000}"#,
            messageID: "1d1c2f8e0e0c4d4aa6c1a8f1d0e3b2c1", status: .delivered, rawStatus: "DEVICE_ACK", token: token)),
        (.clickatell, nil, PayloadCase(name: "clickatell delivery failure", source: "https://docs.clickatell.com/channels/one-api/one-api-reference/",
            body: #"{"messageId":"1d1c2f8e0e0c4d4aa6c1a8f1d0e3b2c1","status":"DELIVERY_FAILURE","statusCode":7,"timestamp":1700000000000}"#,
            messageID: "1d1c2f8e0e0c4d4aa6c1a8f1d0e3b2c1", status: .undelivered, rawStatus: "DELIVERY_FAILURE")),
        (.infobip, nil, PayloadCase(name: "infobip delivered", source: "https://www.infobip.com/docs/api/channels/sms/sms-messaging/logs-and-status-reports/receive-outbound-sms-message-report",
            body: #"{"results":[{"bulkId":"BULK-ID-123-xyz","messageId":"c9823180-94d4-4ea0-9bf3-ec907e7534a6","to":"41793026727","sentAt":"2019-11-09T16:00:00.000+0000","doneAt":"2019-11-09T16:00:00.000+0000","smsCount":1,"price":{"pricePerMessage":0.01,"currency":"EUR"},"callbackData":"\#(token)","status":{"groupId":3,"groupName":"DELIVERED","id":5,"name":"DELIVERED_TO_HANDSET","description":"Message delivered to handset"},"error":{"groupId":0,"groupName":"OK","id":0,"name":"NO_ERROR","description":"No Error","permanent":false}}]}"#,
            messageID: "c9823180-94d4-4ea0-9bf3-ec907e7534a6", status: .delivered, rawStatus: "DELIVERED_TO_HANDSET", token: token)),
        (.infobip, nil, PayloadCase(name: "infobip undeliverable", source: "https://www.infobip.com/docs/essentials/api-essentials/response-status-and-error-codes",
            body: #"{"results":[{"messageId":"12db39c3-7822-4e72-a3ec-c87442c0ffc5","to":"41793026727","status":{"groupId":2,"groupName":"UNDELIVERABLE","id":9,"name":"UNDELIVERABLE_NOT_DELIVERED","description":"Message sent not delivered"},"error":{"groupId":1,"groupName":"HANDSET_ERRORS","id":27,"name":"EC_ABSENT_SUBSCRIBER","permanent":false}}]}"#,
            messageID: "12db39c3-7822-4e72-a3ec-c87442c0ffc5", status: .undelivered, rawStatus: "UNDELIVERABLE_NOT_DELIVERED")),
        (.messagebird, nil, PayloadCase(name: "messagebird delivered", source: "https://developers.messagebird.com/api/sms-messaging/#handle-a-status-report",
            method: "GET", target: "/hook?id=efa6405d518d4c0c88cce11f7db775fb&reference=\(token)&recipient=31612345678&status=delivered&statusReason=successfully%20delivered&statusErrorCode=&statusDatetime=2017-09-01T10:00:05%2B00:00&mccmnc=20408&ported=0&price%5Bamount%5D=0.07&price%5Bcurrency%5D=EUR",
            contentType: nil, body: "", messageID: "efa6405d518d4c0c88cce11f7db775fb", status: .delivered, rawStatus: "delivered", token: token)),
        (.messagebird, nil, PayloadCase(name: "messagebird failed", source: "https://developers.messagebird.com/api/sms-messaging/#handle-a-status-report",
            method: "GET", target: "/hook?id=efa6405d518d4c0c88cce11f7db775fb&recipient=31612345678&status=delivery_failed&statusReason=unknown%20subscriber&statusErrorCode=1&statusDatetime=2017-09-01T10:00:05%2B00:00",
            contentType: nil, body: "", messageID: "efa6405d518d4c0c88cce11f7db775fb", status: .undelivered, rawStatus: "delivery_failed")),
        (.kannel, nil, PayloadCase(name: "kannel delivered with SMPP answer", source: "https://www.kannel.org/userguide.shtml (dlr-url escapes %d %A %T)",
            method: "GET", target: "/hook?canary=\(token)&status=1&answer=id%3A0123456789+sub%3A001+dlvrd%3A001+submit+date%3A2101011200+done+date%3A2101011201+stat%3ADELIVRD+err%3A000+text%3ALastmile&at=1609502460",
            contentType: nil, body: "", messageID: "0123456789", status: .delivered, rawStatus: "DELIVRD", token: token)),
        (.kannel, nil, PayloadCase(name: "kannel SMSC reject", source: "https://www.kannel.org/userguide.shtml (dlr-mask 16: SMSC reject)",
            method: "GET", target: "/hook?canary=\(token)&status=16&answer=NACK%2F0x0000000b%2FInvalid+Destination+Address&at=1609502460",
            contentType: nil, body: "", status: .rejected, rawStatus: "dlr-16", token: token)),
        (.http, "jasmin", PayloadCase(name: "jasmin final DLR", source: "https://docs.jasminsms.com/en/latest/apis/ja-http/index.html#receiving-dlr",
            contentType: "application/x-www-form-urlencoded",
            body: "id=5e19a386-3ea0-4a4c-9e81-a0bf7a1b2ec5&id_smsc=07035554&message_status=DELIVRD&level=2&connector=smppcc&subdate=2101011200&donedate=2101011201&sub=001&dlvrd=001&err=000&text=Lastmile",
            messageID: "5e19a386-3ea0-4a4c-9e81-a0bf7a1b2ec5", status: .delivered, rawStatus: "DELIVRD")),
        (.http, "jasmin", PayloadCase(name: "jasmin SMSC acknowledgement", source: "https://docs.jasminsms.com/en/latest/apis/ja-http/index.html#receiving-dlr",
            contentType: "application/x-www-form-urlencoded",
            body: "id=5e19a386-3ea0-4a4c-9e81-a0bf7a1b2ec5&message_status=ESME_ROK&level=1&connector=smppcc",
            messageID: "5e19a386-3ea0-4a4c-9e81-a0bf7a1b2ec5", status: .pending, rawStatus: "ESME_ROK")),
        (.http, nil, PayloadCase(name: "generic receipt", source: "DESIGN.md, the generic receipt",
            body: #"{"message_id":"bx-1","status":"DELIVRD","error_code":null}"#,
            messageID: "bx-1", status: .delivered, rawStatus: "DELIVRD")),
        (.http, nil, PayloadCase(name: "generic receipt as a query", source: "DESIGN.md, the generic receipt",
            method: "GET", target: "/hook?message_id=bx-2&status=UNDELIV&error_code=011&canary=\(token)", contentType: nil, body: "",
            messageID: "bx-2", status: .undelivered, rawStatus: "UNDELIV", token: token)),
        (.http, "smpp", PayloadCase(name: "SMPP receipt text", source: "SMPP v3.4, appendix B (delivery receipt format)",
            contentType: "text/plain", body: "id:IIIIIIIIII sub:001 dlvrd:001 submit date:2101011200 done date:2101011201 stat:UNDELIV err:001 text:Lastmile check",
            messageID: "IIIIIIIIII", status: .undelivered, rawStatus: "UNDELIV")),
        (.http, "smpp", PayloadCase(name: "SMPP receipt text, expired", source: "SMPP v3.4, appendix B (delivery receipt format)",
            contentType: "text/plain", body: "id:7220112345 sub:001 dlvrd:000 submit date:2101011200 done date:2101021200 stat:EXPIRED err:000 Text:Hello",
            messageID: "7220112345", status: .expired, rawStatus: "EXPIRED")),
    ]

    @Test(arguments: documented.map { $0.2.name })
    func documentedPayloadsParse(name: String) throws {
        let (provider, format, payload) = Self.documented.first { $0.2.name == name }!
        let parser = try #require(ProviderRegistry.standard.receiptParser(for: route(provider, receipt: format)))
        let receipts = try parser.receipts(from: payload.request)
        #expect(receipts.count == 1, "\(payload.source)")
        let receipt = try #require(receipts.first)
        #expect(receipt.messageID == payload.messageID)
        #expect(receipt.status == payload.status)
        #expect(receipt.rawStatus == payload.rawStatus)
        #expect(receipt.token == payload.token)
    }

    @Test(arguments: ProviderRegistry.standard.providers.map(\.providerTraits.kind))
    func malformedPayloadsAreRefusedWithAReason(provider: ProviderKind) throws {
        let parser = try #require(ProviderRegistry.standard.receiptParser(for: route(provider)))
        let malformed: [HTTPRequest] = [
            HTTPRequest(head: HTTPRequestHead(method: "POST", target: "/hook", headers: HTTPHeaders([("Content-Type", "application/json")])),
                        body: Array("{not json".utf8)),
            HTTPRequest(head: HTTPRequestHead(method: "POST", target: "/hook", headers: HTTPHeaders([("Content-Type", "application/json")])),
                        body: Array(#"{"unrelated":true}"#.utf8)),
            HTTPRequest(head: HTTPRequestHead(method: "GET", target: "/hook"), body: []),
        ]
        for request in malformed {
            do {
                let parsed = try parser.receipts(from: request)
                Issue.record("\(provider) accepted a malformed receipt: \(parsed)")
            } catch {
                #expect(error.status == .badRequest)
                #expect(!error.reason.isEmpty)
            }
        }
    }

    @Test func everyProviderHasAStatusTable() {
        for provider in ProviderRegistry.standard.providers {
            #expect(!provider.statusTables.isEmpty, "\(provider.providerTraits.kind) has no status table")
        }
        #expect(ReceiptStatusTable.infobip.status(for: "DELIVERED") == .delivered)
        #expect(ReceiptStatusTable.smpp.status(for: "delivrd") == .delivered)
        #expect(ReceiptStatusTable.twilio.status(for: "never-heard-of") == .unknown)
    }
}

@Suite struct ArrivalParserTests {
    static let documented: [(ArrivalSourceKind, PayloadCase)] = [
        (.twilio, PayloadCase(name: "twilio inbound", source: "https://www.twilio.com/docs/messaging/guides/webhook-request",
            contentType: "application/x-www-form-urlencoded",
            body: "ToCountry=US&ToState=CA&SmsMessageSid=SM1a2b3c&NumMedia=0&ToCity=SAN+FRANCISCO&FromZip=94105&SmsSid=SM1a2b3c&FromState=CA&SmsStatus=received&FromCity=SAN+FRANCISCO&Body=Hello+from+Twilio&FromCountry=US&To=%2B15551230001&ToZip=94105&NumSegments=1&MessageSid=SM1a2b3c&AccountSid=ACxxxxxxxx&From=%2B14155550100&ApiVersion=2010-04-01",
            from: "+14155550100", text: "Hello from Twilio")),
        (.twilio, PayloadCase(name: "twilio inbound with a canary", source: "https://www.twilio.com/docs/messaging/guides/webhook-request",
            contentType: "application/x-www-form-urlencoded",
            body: "SmsSid=SM9&Body=Lastmile+check+0A1B2C3D4&To=%2B15551230001&MessageSid=SM9&From=LASTMILE&NumSegments=1",
            from: "LASTMILE", text: "Lastmile check 0A1B2C3D4")),
        (.vonage, PayloadCase(name: "vonage inbound", source: "https://developer.vonage.com/en/messaging/sms/guides/inbound-sms",
            body: #"{"msisdn":"447700900001","to":"447700900000","messageId":"0A0000000123ABCD1","text":"Hello world","type":"text","keyword":"HELLO","api-key":"abcd1234","message-timestamp":"2020-01-01 12:00:00 +0000","timestamp":"1578787200","nonce":"aaaaaaaa-bbbb-cccc-dddd-0123456789ab"}"#,
            from: "447700900001", text: "Hello world")),
        (.vonage, PayloadCase(name: "vonage concatenated part", source: "https://developer.vonage.com/en/messaging/sms/guides/inbound-sms#concatenated-messages",
            method: "GET", target: "/hook?msisdn=447700900001&to=447700900000&messageId=0A0000000123ABCD2&text=second+part&type=text&message-timestamp=2020-01-01+12%3A00%3A01&concat=true&concat-ref=1&concat-total=3&concat-part=2",
            contentType: nil, body: "", from: "447700900001", text: "second part", part: MessagePart(reference: "1", total: 3, index: 2))),
        (.telnyx, PayloadCase(name: "telnyx message.received", source: "https://developers.telnyx.com/api-reference/callbacks/inbound-message",
            body: #"{"data":{"record_type":"event","id":"bf6307bd-884d-4c1f-b6ea-c62b8c495d3c","event_type":"message.received","occurred_at":"2019-01-23T18:10:02.574Z","payload":{"record_type":"message","direction":"inbound","id":"7ee4241c-f127-47e5-9c34-3aac291f8058","type":"SMS","from":{"phone_number":"+18665550001","carrier":"T-MOBILE USA, INC.","line_type":"Wireless"},"to":[{"phone_number":"+18445550001","status":"delivered","carrier":"TELNYX LLC","line_type":"VoIP"}],"text":"Hello, World!","encoding":"GSM-7","parts":1,"received_at":"2019-01-23T18:10:02.574Z"}},"meta":{"attempt":1,"delivered_to":"https://example.com/webhooks"}}"#,
            from: "+18665550001", text: "Hello, World!")),
        (.telnyx, PayloadCase(name: "telnyx message.received without received_at", source: "https://developers.telnyx.com/api-reference/callbacks/inbound-message",
            body: #"{"data":{"event_type":"message.received","occurred_at":"2019-01-23T18:10:02.574Z","payload":{"from":{"phone_number":"+18665550002"},"to":[{"phone_number":"+18445550001"}],"text":"Lastmile check 0A1B2C3D4"}}}"#,
            from: "+18665550002", text: "Lastmile check 0A1B2C3D4")),
        (.httpSMS, PayloadCase(name: "httpsms received", source: "https://docs.httpsms.com/webhooks/events",
            body: #"{"specversion":"1.0","id":"a5ed7a4b-0a5f-4c54-9c3a-0d8b2b2c4f1e","source":"/v1/messages/receive","type":"message.phone.received","datacontenttype":"application/json","time":"2024-01-21T12:27:29.1405177Z","data":{"message_id":"0b3ff4a0-4b3a-4f7c-9b2e-1c4d1d3b2a10","user_id":"WB7DRDWrJZRGbYrv2CKGkqbzvqdC","owner":"+18005550199","encrypted":false,"contact":"+18005550100","timestamp":"2024-01-21T12:27:29.1405177Z","content":"This is a sample text message received on a phone","sim":"SIM1"}}"#,
            from: "+18005550100", text: "This is a sample text message received on a phone")),
        (.httpSMS, PayloadCase(name: "httpsms received with a canary", source: "https://docs.httpsms.com/webhooks/events",
            body: #"{"specversion":"1.0","type":"message.phone.received","data":{"owner":"+15551230001","contact":"LASTMILE","timestamp":"2024-01-21T12:27:29Z","content":"Lastmile check 0A1B2C3D4"}}"#,
            from: "LASTMILE", text: "Lastmile check 0A1B2C3D4")),
        (.androidSMSGateway, PayloadCase(name: "sms gateway for android", source: "https://docs.sms-gate.app/features/webhooks (and discussion #200)",
            body: #"{"deviceId":"ffffffffceb0b1db00000193991c27e5","event":"sms:received","id":"-9qZ4oiiZZRm-h_A3mrp2","payload":{"message":"Android is always a sweet treat!","receivedAt":"2025-03-14T07:29:55.000+07:00","messageId":"69bde8d0","phoneNumber":"6505551212","simNumber":1},"webhookId":"LreFUt-Z3sSq0JufY9uWB"}"#,
            from: "6505551212", text: "Android is always a sweet treat!")),
        (.androidSMSGateway, PayloadCase(name: "sms gateway for android, no SIM", source: "https://docs.sms-gate.app/features/webhooks",
            body: #"{"deviceId":"d1","event":"sms:received","id":"x1","payload":{"message":"Lastmile check 0A1B2C3D4","receivedAt":"2024-06-07T11:41:31.000+07:00","messageId":"ad7a1e6d","phoneNumber":"+15005550006","simNumber":null},"webhookId":"w1"}"#,
            from: "+15005550006", text: "Lastmile check 0A1B2C3D4")),
        (.json, PayloadCase(name: "generic json", source: "DESIGN.md, the generic json source",
            body: #"{"to":"+15551230001","from":"+15005550006","body":"Lastmile check 0A1B2C3D4","received_at":"2026-11-22T01:00:00Z"}"#,
            from: "+15005550006", text: "Lastmile check 0A1B2C3D4")),
        (.json, PayloadCase(name: "generic json as a form", source: "DESIGN.md, the generic json source",
            contentType: "application/x-www-form-urlencoded", body: "from=%2B15005550006&body=hello",
            from: "+15005550006", text: "hello")),
    ]

    @Test(arguments: documented.map { $0.1.name })
    func documentedPayloadsParse(name: String) throws {
        let (source, payload) = Self.documented.first { $0.1.name == name }!
        let parser = try #require(ProviderRegistry.standard.arrivalParser(for: receiver(source)))
        let arrivals = try parser.arrivals(from: payload.request)
        #expect(arrivals.count == 1, "\(payload.source)")
        #expect(arrivals.first?.from == payload.from)
        #expect(arrivals.first?.body == payload.text)
        #expect(arrivals.first?.part == payload.part)
    }

    @Test(arguments: [ArrivalSourceKind.twilio, .vonage, .telnyx, .httpSMS, .androidSMSGateway, .json])
    func malformedPayloadsAreRefusedWithAReason(source: ArrivalSourceKind) throws {
        let parser = try #require(ProviderRegistry.standard.arrivalParser(for: receiver(source)))
        let malformed: [HTTPRequest] = [
            HTTPRequest(head: HTTPRequestHead(method: "POST", target: "/hook", headers: HTTPHeaders([("Content-Type", "application/json")])),
                        body: Array("[[[".utf8)),
            HTTPRequest(head: HTTPRequestHead(method: "POST", target: "/hook", headers: HTTPHeaders([("Content-Type", "application/json")])),
                        body: Array(#"{"event":"sms:received","type":"message.phone.received","data":{"event_type":"message.received"}}"#.utf8)),
            HTTPRequest(head: HTTPRequestHead(method: "GET", target: "/hook"), body: []),
        ]
        for request in malformed {
            do {
                let parsed = try parser.arrivals(from: request)
                Issue.record("\(source) accepted a malformed arrival: \(parsed)")
            } catch {
                #expect(error.status == .badRequest)
                #expect(!error.reason.isEmpty)
            }
        }
    }

    @Test func otherEventsAreAcknowledgedAndIgnored() throws {
        let telnyx = try #require(ProviderRegistry.standard.arrivalParser(for: receiver(.telnyx)))
        let sent = HTTPRequest(head: HTTPRequestHead(method: "POST", target: "/h", headers: HTTPHeaders([("Content-Type", "application/json")])),
                               body: Array(#"{"data":{"event_type":"message.sent","payload":{}}}"#.utf8))
        #expect(try telnyx.arrivals(from: sent).isEmpty)
        let gateway = try #require(ProviderRegistry.standard.arrivalParser(for: receiver(.androidSMSGateway)))
        let ping = HTTPRequest(head: HTTPRequestHead(method: "POST", target: "/h", headers: HTTPHeaders([("Content-Type", "application/json")])),
                               body: Array(#"{"event":"system:ping","payload":{}}"#.utf8))
        #expect(try gateway.arrivals(from: ping).isEmpty)
    }
}

import Foundation
import HTTP
import LastmileCore

/// The canary's token, where a receipt carries it: our own `?canary=` on the callback URL,
/// or the provider's reference field.
func canaryToken(_ request: HTTPRequest, _ fields: ReportFields, reference: String...) -> Token? {
    if let text = request.queryValue("canary"), let token = Token(text) { return token }
    for path in reference { if let text = fields.string(path), let token = Token(text) { return token } }
    return nil
}

/// Vonage's delivery receipt (GET, form or JSON): `messageId`, `status`, `err-code`, `client-ref`, `scts`.
/// https://developer.vonage.com/en/messaging/sms/guides/delivery-receipts
struct VonageReceiptParser: ReceiptParser {
    func receipts(from request: HTTPRequest) throws(ReportError) -> [ParsedReceipt] {
        let fields = try ReportFields.read(request)
        guard let id = fields.first("messageId") else { throw .malformed("messageId is missing") }
        guard let word = fields.first("status") else { throw .malformed("status is missing") }
        let code = fields.first("err-code")
        return [ParsedReceipt(messageID: id, token: canaryToken(request, fields, reference: "client-ref"),
                              status: ReceiptStatusTable.vonage.status(for: word), rawStatus: word,
                              errorCode: code == "0" ? nil : code,
                              reportedAt: fields.first("message-timestamp").flatMap(Timestamps.parse))]
    }
}

/// Plivo's message status callback (form): `MessageUUID`, `Status`, `ErrorCode`.
/// https://www.plivo.com/docs/messaging/concepts/callbacks
struct PlivoReceiptParser: ReceiptParser {
    func receipts(from request: HTTPRequest) throws(ReportError) -> [ParsedReceipt] {
        let fields = try ReportFields.read(request)
        guard let id = fields.first("MessageUUID") else { throw .malformed("MessageUUID is missing") }
        guard let word = fields.first("Status") else { throw .malformed("Status is missing") }
        let code = fields.first("ErrorCode")
        return [ParsedReceipt(messageID: id, token: canaryToken(request, fields), status: ReceiptStatusTable.plivo.status(for: word),
                              rawStatus: word, errorCode: code == "000" ? nil : code)]
    }
}

/// Telnyx's message events (`message.sent`, `message.finalized`): `data.payload.id` and `to[0].status`.
/// https://developers.telnyx.com/docs/messaging/messages/receiving-webhooks
struct TelnyxReceiptParser: ReceiptParser {
    func receipts(from request: HTTPRequest) throws(ReportError) -> [ParsedReceipt] {
        let fields = try ReportFields.read(request)
        guard let event = fields.string("data.event_type") else { throw .malformed("data.event_type is missing") }
        guard event == "message.sent" || event == "message.finalized" else { return [] }
        guard let id = fields.string("data.payload.id") else { throw .malformed("data.payload.id is missing") }
        guard let word = fields.string("data.payload.to.0.status") else { throw .malformed("data.payload.to.0.status is missing") }
        return [ParsedReceipt(messageID: id, token: canaryToken(request, fields), status: ReceiptStatusTable.telnyx.status(for: word),
                              rawStatus: word, errorCode: fields.string("data.payload.errors.0.code"),
                              reportedAt: fields.string("data.occurred_at").flatMap(Timestamps.parse))]
    }
}

/// Sinch's per-recipient delivery report: `batch_id`, `status`, `code`, `client_reference`.
/// https://developers.sinch.com/docs/sms/api-reference/sms/tag/Webhooks
struct SinchReceiptParser: ReceiptParser {
    func receipts(from request: HTTPRequest) throws(ReportError) -> [ParsedReceipt] {
        let fields = try ReportFields.read(request)
        guard fields.string("type") == "recipient_delivery_report_sms" else {
            throw .malformed("type must be recipient_delivery_report_sms")
        }
        guard let id = fields.string("batch_id") else { throw .malformed("batch_id is missing") }
        guard let word = fields.string("status") else { throw .malformed("status is missing") }
        return [ParsedReceipt(messageID: id, token: canaryToken(request, fields, reference: "client_reference"),
                              status: ReceiptStatusTable.sinch.status(for: word), rawStatus: word,
                              errorCode: fields.string("code"), reportedAt: fields.string("at").flatMap(Timestamps.parse))]
    }
}

/// Infobip's delivery reports: `results[]` with `messageId`, `status.groupName`, `error`, `callbackData`.
/// https://www.infobip.com/docs/api/channels/sms/sms-messaging/logs-and-status-reports/receive-outbound-sms-message-report
struct InfobipReceiptParser: ReceiptParser {
    func receipts(from request: HTTPRequest) throws(ReportError) -> [ParsedReceipt] {
        guard case .json(let object) = try ReportFields.read(request),
              let results = JSONPath.value(in: object, at: "results") as? [Any], !results.isEmpty else {
            throw .malformed("results is missing")
        }
        return try results.map { result throws(ReportError) -> ParsedReceipt in
            guard let id = JSONPath.string(in: result, at: "messageId") else { throw .malformed("messageId is missing") }
            guard let group = JSONPath.string(in: result, at: "status.groupName") else { throw .malformed("status.groupName is missing") }
            let error = JSONPath.string(in: result, at: "error.id")
            return ParsedReceipt(messageID: id, token: JSONPath.string(in: result, at: "callbackData").flatMap(Token.init),
                                 status: ReceiptStatusTable.infobip.status(for: group),
                                 rawStatus: JSONPath.string(in: result, at: "status.name") ?? group,
                                 errorCode: error == "0" ? nil : error,
                                 reportedAt: JSONPath.string(in: result, at: "doneAt").flatMap(Timestamps.parse))
        }
    }
}

/// MessageBird's status report (GET): `id`, `reference`, `status`, `statusErrorCode`.
/// https://developers.messagebird.com/api/sms-messaging/#handle-a-status-report
struct MessageBirdReceiptParser: ReceiptParser {
    func receipts(from request: HTTPRequest) throws(ReportError) -> [ParsedReceipt] {
        let fields = try ReportFields.read(request)
        guard let id = fields.first("id") else { throw .malformed("id is missing") }
        guard let word = fields.first("status") else { throw .malformed("status is missing") }
        return [ParsedReceipt(messageID: id, token: canaryToken(request, fields, reference: "reference"),
                              status: ReceiptStatusTable.messagebird.status(for: word), rawStatus: word,
                              errorCode: fields.first("statusErrorCode"),
                              reportedAt: fields.first("statusDatetime").flatMap(Timestamps.parse))]
    }
}

/// Kannel's dlr-url: our `?canary=…&status=%d&answer=%A&at=%T`. The status is Kannel's
/// DLR type; the SMSC's answer, when it is an SMPP receipt text, gives the final word.
struct KannelReceiptParser: ReceiptParser {
    func receipts(from request: HTTPRequest) throws(ReportError) -> [ParsedReceipt] {
        let fields = try ReportFields.read(request)
        guard let type = fields.first("status") else { throw .malformed("status (the %d DLR type) is missing") }
        guard Int(type) != nil else { throw .malformed("status must be Kannel's numeric DLR type") }
        let token = canaryToken(request, fields)
        let smpp = fields.first("answer").flatMap(SMPPReceiptText.init)
        guard token != nil || smpp != nil else { throw .malformed("no canary token and no SMPP receipt to match by") }
        let status = smpp.map { ReceiptStatusTable.smpp.status(for: $0.stat) } ?? ReceiptStatusTable.kannel.status(for: type)
        return [ParsedReceipt(messageID: smpp?.id, token: token, status: status, rawStatus: smpp?.stat ?? "dlr-\(type)",
                              errorCode: smpp?.err.flatMap { $0 == "000" ? nil : $0 },
                              reportedAt: fields.first("at").flatMap(Double.init).map(Date.init(timeIntervalSince1970:)))]
    }
}

/// Jasmin's DLR (POST form): `id`, `message_status`, `level` (1: SMSC acknowledgement, 2: final receipt).
/// https://docs.jasminsms.com/en/latest/apis/ja-http/index.html#receiving-dlr
struct JasminReceiptParser: ReceiptParser {
    func receipts(from request: HTTPRequest) throws(ReportError) -> [ParsedReceipt] {
        let fields = try ReportFields.read(request)
        guard let id = fields.first("id") else { throw .malformed("id is missing") }
        guard let word = fields.first("message_status") else { throw .malformed("message_status is missing") }
        // Level 1 reports the SMSC's acknowledgement (ESME_ROK …), not delivery.
        let status: ReceiptStatus = fields.first("level") == "1"
            ? (word.uppercased() == "ESME_ROK" ? .pending : .rejected) : ReceiptStatusTable.smpp.status(for: word)
        return [ParsedReceipt(messageID: id, token: canaryToken(request, fields), status: status, rawStatus: word,
                              errorCode: fields.first("err").flatMap { $0 == "000" ? nil : $0 })]
    }
}

/// A bare SMPP delivery-receipt text in the body (or a `text` field), as some SMSC bridges post it.
struct SMPPTextReceiptParser: ReceiptParser {
    func receipts(from request: HTTPRequest) throws(ReportError) -> [ParsedReceipt] {
        let body = String(decoding: request.body, as: UTF8.self)
        let text = request.method == "GET" ? (request.queryValue("text") ?? "") : body
        guard let receipt = SMPPReceiptText(text) else { throw .malformed("not an SMPP delivery receipt (id:… stat:…)") }
        return [ParsedReceipt(messageID: receipt.id, token: request.queryValue("canary").flatMap(Token.init),
                              status: ReceiptStatusTable.smpp.status(for: receipt.stat), rawStatus: receipt.stat,
                              errorCode: receipt.err.flatMap { $0 == "000" ? nil : $0 }, reportedAt: receipt.doneAt)]
    }
}

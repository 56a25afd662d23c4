import Foundation
import HTTP
import LastmileConfig

/// A message a receiving phone reports.
public struct ParsedArrival: Sendable, Hashable {
    public var from: String
    public var to: String?
    public var body: String
    public var receivedAt: Date?
    /// Set for one part of a multi-part (concatenated) message, which is matched only once whole.
    public var part: MessagePart?

    public init(from: String, to: String?, body: String, receivedAt: Date?, part: MessagePart? = nil) {
        self.from = from
        self.to = to
        self.body = body
        self.receivedAt = receivedAt
        self.part = part
    }
}

/// Where one part of a concatenated SMS belongs.
public struct MessagePart: Sendable, Hashable {
    /// The reference shared by all parts of one message (with the sender, it names the message).
    public var reference: String
    public var total: Int
    /// 1-based.
    public var index: Int

    public init(reference: String, total: Int, index: Int) {
        self.reference = reference
        self.total = total
        self.index = index
    }
}

/// Reads one arrival source's reports.
public protocol ArrivalParser: Sendable {
    /// The arrivals in a request; empty for an event that is not an arrival (it is acknowledged and ignored).
    func arrivals(from request: HTTPRequest) throws(ReportError) -> [ParsedArrival]
}

/// The arrival parser for each receiver's source.
public enum ArrivalParsers {
    /// The parser for a webhook source; nil for spool sources, which are not webhooks.
    public static func parser(for receiver: ReceiverConfiguration) -> (any ArrivalParser)? {
        switch receiver.source {
        case .androidSMSGateway: return AndroidSMSGatewayArrivalParser()
        case .twilio: return TwilioArrivalParser()
        case .vonage: return VonageArrivalParser()
        case .telnyx: return TelnyxArrivalParser()
        case .httpSMS: return HTTPSMSArrivalParser()
        case .json: return JSONArrivalParser()
        case .smstools, .gammu: return nil
        }
    }
}

/// The generic arrival `{"to": …, "from": …, "body": …, "received_at": …}` (JSON, form or query).
struct JSONArrivalParser: ArrivalParser {
    func arrivals(from request: HTTPRequest) throws(ReportError) -> [ParsedArrival] {
        let fields = try ReportFields.read(request)
        guard let body = fields.string("body") ?? fields.string("text") else { throw .malformed("body is missing") }
        guard let from = fields.first("from", "sender") else { throw .malformed("from is missing") }
        var receivedAt: Date?
        if let text = fields.first("received_at") {
            guard let date = Timestamps.parse(text) else { throw .malformed("received_at is not an RFC 3339 time") }
            receivedAt = date
        }
        return [ParsedArrival(from: from, to: fields.first("to"), body: body, receivedAt: receivedAt)]
    }
}

/// SMS Gateway for Android's webhook: `{"event": "sms:received", "payload": {"message", "phoneNumber", "receivedAt"}}`.
struct AndroidSMSGatewayArrivalParser: ArrivalParser {
    func arrivals(from request: HTTPRequest) throws(ReportError) -> [ParsedArrival] {
        let fields = try ReportFields.read(request)
        guard let event = fields.string("event") else { throw .malformed("event is missing") }
        guard event == "sms:received" else { return [] }
        guard let body = fields.string("payload.message") else { throw .malformed("payload.message is missing") }
        guard let from = fields.string("payload.phoneNumber") else { throw .malformed("payload.phoneNumber is missing") }
        var receivedAt: Date?
        if let text = fields.string("payload.receivedAt") {
            guard let date = Timestamps.parse(text) else { throw .malformed("payload.receivedAt is not an RFC 3339 time") }
            receivedAt = date
        }
        return [ParsedArrival(from: from, to: nil, body: body, receivedAt: receivedAt)]
    }
}

import Foundation
import LastmileCore
import LastmileProviders

/// The reports of one request as an instance that does not lead commits them to the inbox,
/// for the leader to join: parsed already, so the leader need not know the request's source.
struct InboxReports: Codable, Sendable, Hashable {
    enum Kind: String, Codable, Sendable {
        case receipts
        case arrivals
        case part
    }

    struct Receipt: Codable, Sendable, Hashable {
        var messageID: String?
        var token: String?
        var status: String
        var rawStatus: String
        var errorCode: String?
        var reportedAt: Date?
    }

    struct Arrival: Codable, Sendable, Hashable {
        var from: String
        var to: String?
        var body: String
        var receivedAt: Date?
        var partReference: String?
        var partTotal: Int?
        var partIndex: Int?
    }

    var kind: Kind
    /// The route (receipts) or receiver (arrivals).
    var source: String
    var receipts: [Receipt] = []
    var arrivals: [Arrival] = []

    init(receipts parsed: [ParsedReceipt], route: String) {
        kind = .receipts
        source = route
        receipts = parsed.map {
            Receipt(messageID: $0.messageID, token: $0.token?.description, status: $0.status.rawValue, rawStatus: $0.rawStatus,
                    errorCode: $0.errorCode, reportedAt: $0.reportedAt)
        }
    }

    init(arrivals parsed: [ParsedArrival], receiver: String, kind: Kind = .arrivals) {
        self.kind = kind
        source = receiver
        arrivals = parsed.map {
            Arrival(from: $0.from, to: $0.to, body: $0.body, receivedAt: $0.receivedAt, partReference: $0.part?.reference,
                    partTotal: $0.part?.total, partIndex: $0.part?.index)
        }
    }

    var parsedReceipts: [ParsedReceipt] {
        receipts.map {
            ParsedReceipt(messageID: $0.messageID, token: $0.token.flatMap(Token.init), status: ReceiptStatus(rawValue: $0.status) ?? .unknown,
                          rawStatus: $0.rawStatus, errorCode: $0.errorCode, reportedAt: $0.reportedAt)
        }
    }

    var parsedArrivals: [ParsedArrival] {
        arrivals.map { arrival in
            var part: MessagePart?
            if let reference = arrival.partReference, let total = arrival.partTotal, let index = arrival.partIndex {
                part = MessagePart(reference: reference, total: total, index: index)
            }
            return ParsedArrival(from: arrival.from, to: arrival.to, body: arrival.body, receivedAt: arrival.receivedAt, part: part)
        }
    }

    func encoded() throws -> Data { try JSONEncoder().encode(self) }

    static func decode(_ data: Data) throws -> InboxReports { try JSONDecoder().decode(InboxReports.self, from: data) }
}

import Foundation
import LastmileProviders

/// One inbox entry's request, decoded, as the engine joins it.
struct InboxRequest: Sendable {
    enum Reports: Sendable {
        case receipts([ParsedReceipt], route: String)
        case arrivals([ParsedArrival], receiver: String)
    }

    var entry: Int64
    var reports: Reports
    var rawPayload: Data
    var receivedAt: Date
    var sourceKey: String?
}

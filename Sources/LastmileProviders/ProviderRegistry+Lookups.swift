import Foundation
import LastmileConfig

extension ProviderRegistry {
    /// The adapter that sends on `route`, or nil when its provider is unknown or it lacks what the adapter needs.
    public func adapter(for route: RouteConfiguration, timeout: Double = 15) -> (any SendAdapter)? {
        provider(route.provider)?.adapter(for: route, timeout: timeout)
    }

    /// The parser of `route`'s receipts.
    public func receiptParser(for route: RouteConfiguration) -> (any ReceiptParser)? {
        provider(route.provider)?.receiptParser(for: route)
    }

    /// The parser of a webhook receiver's arrivals; nil for spool sources, which take no webhooks.
    public func arrivalParser(for receiver: ReceiverConfiguration) -> (any ArrivalParser)? {
        guard case .webhook(let intake)? = source(receiver.source)?.intake else { return nil }
        return intake.parser
    }

    /// How a spool receiver's files are read; nil for webhook sources.
    public func spoolFormat(for receiver: ReceiverConfiguration) -> (any SpoolFormat)? {
        guard case .spool(let format)? = source(receiver.source)?.intake else { return nil }
        return format
    }
}

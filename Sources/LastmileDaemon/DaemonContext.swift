import Foundation
import LastmileConfig
import LastmileCore
import LastmileProviders

/// Everything derived from one loaded configuration. A reload builds a new one
/// and swaps it whole; requests and sends in flight keep the one they started with.
public struct DaemonContext: Sendable {
    public struct Route: Sendable {
        public var configuration: RouteConfiguration
        public var adapter: (any SendAdapter)?
        public var receiptParser: (any ReceiptParser)?
        public var verifier: any WebhookVerifier
    }

    public struct Receiver: Sendable {
        public var configuration: ReceiverConfiguration
        public var parser: (any ArrivalParser)?
        /// How a spool receiver's files read.
        public var spoolFormat: (any SpoolFormat)?
        public var verifier: any WebhookVerifier
    }

    public let configuration: LastmileConfiguration
    public private(set) var routes: [String: Route]
    public private(set) var receivers: [String: Receiver]
    public let loadedAt: Date

    public init(configuration: LastmileConfiguration, loadedAt: Date, sendTimeout: Double = 15,
                registry: ProviderRegistry = .standard) {
        self.configuration = configuration
        self.loadedAt = loadedAt
        var routes: [String: Route] = [:]
        for route in configuration.routes {
            routes[route.name] = Route(configuration: route, adapter: registry.adapter(for: route, timeout: sendTimeout),
                                       receiptParser: registry.receiptParser(for: route),
                                       verifier: registry.receiptVerifier(for: route, publicURL: configuration.server.publicURL))
        }
        var receivers: [String: Receiver] = [:]
        for receiver in configuration.receivers {
            receivers[receiver.name] = Receiver(configuration: receiver, parser: registry.arrivalParser(for: receiver),
                                                spoolFormat: registry.spoolFormat(for: receiver),
                                                verifier: registry.arrivalVerifier(for: receiver, publicURL: configuration.server.publicURL))
        }
        self.routes = routes
        self.receivers = receivers
    }

    /// This context, with each receipt hook `previous` also had still letting through what
    /// `previous` let through, until the longest deadline of that route's probes of then after
    /// `now`: receipts for canaries sent before a reload (whose callbacks carry the secret of
    /// then) are not refused for a rotated secret or a new public URL. Arrival hooks get none of
    /// this (phones never had a canary's callback, and a secret rotated because it leaked must
    /// hold at once), nor does a hook that had no secret.
    public func honouring(_ previous: DaemonContext, now: Date) -> DaemonContext {
        var rotated = self
        for (name, route) in routes {
            guard let old = previous.routes[name], !(old.verifier is OpenHook) else { continue }
            let deadline = previous.configuration.probes.filter { $0.route == name && $0.enabled }.map(\.deadline).max() ?? 0
            guard deadline > 0 else { continue }
            rotated.routes[name]?.verifier = RotatedVerifier(current: route.verifier, previous: old.verifier,
                                                             until: now.addingTimeInterval(deadline), now: now)
        }
        return rotated
    }

    /// Every route × carrier × probe the probes cover, for seeding metrics.
    public var pairs: [DaemonMetrics.Pair] {
        configuration.probes.flatMap { probe in
            probe.receivers.compactMap { name in
                receivers[name].map { DaemonMetrics.Pair(route: probe.route, carrier: $0.configuration.carrier, probe: probe.name) }
            }
        }
    }

    /// The URL a sender called to make `target` reach us, when the public URL is known.
    public func publicURL(for target: String) -> URL? {
        guard let base = configuration.server.publicURL?.absoluteString else { return nil }
        return URL(string: (base.hasSuffix("/") ? String(base.dropLast()) : base) + target)
    }

    /// The URL providers post a route's receipts to, when the public URL is known. A hook checked
    /// by bearer token carries it as `?token=…`, since providers call the URL as they are given it.
    public func receiptCallback(route: String) -> URL? {
        guard let base = configuration.server.publicURL?.appendingPathComponent("hooks/receipts/\(route)") else { return nil }
        guard let route = routes[route]?.configuration, let secret = route.hookSecret,
              route.receiptHookScheme(publicURL: configuration.server.publicURL) == .bearerToken else { return base }
        return URL(string: base.absoluteString + "?token=" + secret.reveal()) ?? base
    }
}

import Foundation
import HTTP
import LastmileBase
import LastmileConfig
import LastmileCore

extension Daemon {
    /// What the daemon is started with.
    public struct Options: Sendable {
        /// Where configurations come from, at start and at each reload.
        public var loadConfiguration: @Sendable () -> ConfigLoadResult
        public var logger: Logger
        public var clock: any WallClock
        public var notifier: SystemdNotifier
        /// Replaces `[server] listen` (the demo and tests use port 0).
        public var listenOverride: ListenAddress?
        /// Replaces `[server] admin_listen`.
        public var adminListenOverride: ListenAddress?
        /// Replaces `[store] path`.
        public var storePathOverride: String?
        public var version: String
        public var correlator: CorrelatorConfiguration
        public var httpLimits: HTTPLimits

        public init(loadConfiguration: @escaping @Sendable () -> ConfigLoadResult, logger: Logger = Logger(),
                    clock: any WallClock = SteadyClock(), notifier: SystemdNotifier = SystemdNotifier(),
                    listenOverride: ListenAddress? = nil, adminListenOverride: ListenAddress? = nil,
                    storePathOverride: String? = nil, version: String = LastmileVersion.current,
                    correlator: CorrelatorConfiguration = CorrelatorConfiguration(), httpLimits: HTTPLimits = HTTPLimits()) {
            self.loadConfiguration = loadConfiguration
            self.logger = logger
            self.clock = clock
            self.notifier = notifier
            self.listenOverride = listenOverride
            self.adminListenOverride = adminListenOverride
            self.storePathOverride = storePathOverride
            self.version = version
            self.correlator = correlator
            self.httpLimits = httpLimits
        }

        /// `httpLimits` with the connection caps `server` sets (a change needs a restart).
        func httpLimits(for server: ServerConfiguration) -> HTTPLimits {
            var limits = httpLimits
            if let maximum = server.maximumConnections { limits.maximumConnections = maximum }
            if let maximum = server.maximumConnectionsPerPeer { limits.maximumConnectionsPerPeer = maximum }
            return limits
        }
    }

    /// Why the daemon could not start.
    public enum StartError: Error, CustomStringConvertible {
        case configuration([ConfigDiagnostic])
        case store(String)
        case listen(String)

        public var description: String {
            switch self {
            case .configuration(let diagnostics):
                return diagnostics.filter { $0.severity == .error }.map(\.description).joined(separator: "\n")
            case .store(let reason): return "cannot open the store: \(reason)"
            case .listen(let reason): return "cannot listen: \(reason)"
            }
        }
    }
}

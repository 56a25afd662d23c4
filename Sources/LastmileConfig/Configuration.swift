import Foundation
import LastmileCore

/// A whole, validated Lastmile configuration.
public struct LastmileConfiguration: Sendable {
    /// The main file first, then included files in the order read.
    public var files: [String]
    public var server: ServerConfiguration
    public var store: StorageConfiguration
    public var defaults: ProbeDefaults
    public var routes: [RouteConfiguration]
    public var receivers: [ReceiverConfiguration]
    public var probes: [ProbeConfiguration]
    public var slos: [SLOConfiguration]
    public var alerting: AlertingConfiguration
    public var metrics = MetricsConfiguration()
    public var cluster = ClusterConfiguration()

    public func route(named name: String) -> RouteConfiguration? { routes.first { $0.name == name } }
    public func receiver(named name: String) -> ReceiverConfiguration? { receivers.first { $0.name == name } }
}

public struct ServerConfiguration: Sendable, Hashable {
    public var listen: ListenAddress
    /// How providers reach the hooks; nil when not configured.
    public var publicURL: URL?
    /// Where metrics, the status page, the canary API and traces are served, when apart from the hooks.
    public var adminListen: ListenAddress?
    /// Receipts or arrivals one request may carry; beyond it the request is refused with 413.
    public var maximumReportsPerRequest = 1_000
    /// Connections served at once on each listener; nil: the server's default (16,384).
    public var maximumConnections: Int?
    /// Connections served at once from one IPv4 address or IPv6 /64; nil: the server's default (256).
    public var maximumConnectionsPerPeer: Int?

    public init(listen: ListenAddress, publicURL: URL?, adminListen: ListenAddress? = nil) {
        self.listen = listen
        self.publicURL = publicURL
        self.adminListen = adminListen
    }
}

public struct StorageConfiguration: Sendable, Hashable {
    public var path: String
    /// A PostgreSQL database that several instances share (a libpq URI), in place of the file at `path`.
    public var url: Secret?
    public var retention: TimeInterval
    /// Whether the config named the path (rather than leaving the default).
    public var pathIsExplicit = false
    /// The most bytes the database may grow to; beyond it writes fail and hooks answer 503.
    public var maximumSize: Int?
    /// How long reports that joined no canary are kept (shorter than `retention`: they are mostly junk).
    public var unmatchedRetention: TimeInterval = 30 * 86_400
    /// Unmatched reports kept of each kind; the oldest go first.
    public var unmatchedLimit = 10_000
}

/// How instances sharing one PostgreSQL store take turns leading.
public struct ClusterConfiguration: Sendable, Hashable {
    /// How long a leader's lease lasts; another instance takes over within it when the leader dies.
    public var lease: TimeInterval = 15
    /// Whether `[cluster]` was in the file.
    public var isExplicit = false

    public init() {}
}

/// Settings any probe inherits unless it sets its own.
public struct ProbeDefaults: Sendable, Hashable {
    public var interval: TimeInterval = 300
    public var jitter: TimeInterval = 30
    public var threshold: TimeInterval = 60
    public var deadline: TimeInterval = 900
    public var body = "Lastmile check {token}"
}

public struct RouteConfiguration: Sendable {
    public var name: String
    /// What the route's provider needs and how it calls back.
    public var traits: ProviderTraits
    public var apiURL: URL?
    public var from: String
    public var dailyCap: Int?
    public var concurrency: Int
    public var credentials: [String: Secret]
    /// The API's own token, for `{secret}` in a generic route's request.
    public var secret: Secret?
    /// The bearer token the receipt hook requires, if any.
    public var hookSecret: Secret?
    /// Whether the receipt hook must authenticate its callers (`auth = "none"` opens it).
    public var auth: HookAuthMode = .required
    public var pricePerMessage: Double?
    public var currency: String
    /// The request and answer shapes of a generic `http` route.
    public var http: HTTPRouteSpecification?
    public var location: SourceLocation
    /// Where `auth` was written, when it was.
    public var authLocation: SourceLocation?

    /// The route's provider.
    public var provider: ProviderKind { traits.kind }
}

/// A generic HTTP send API, described field by field.
public struct HTTPRouteSpecification: Sendable, Hashable {
    public var method: String
    /// URL template; may contain `{to}`, `{from}`, `{body}`, `{token}`, `{secret}`.
    public var url: String
    public var headers: [String: String]
    /// A JSON body template, or nil.
    public var json: JSONTemplate?
    /// Form fields, or nil.
    public var form: [String: String]?
    /// Dotted paths into the answer (`messages.0.bx_message_id`).
    public var responseMessageID: String?
    public var responseStatus: String?
    /// Status words that mean accepted; empty means any 2xx is accepted.
    public var accepted: [String]
    public var receiptMessageID: String
    public var receiptStatus: String
    public var receiptErrorCode: String?
    public var delivered: [String]
    public var failed: [String]
    /// How receipts come: the field paths above, Jasmin's DLR form, or a bare SMPP receipt text.
    public var receiptFormat: ReceiptFormat = .fields

    public enum ReceiptFormat: String, Sendable, Hashable, CaseIterable {
        case fields, jasmin, smpp
    }
}

/// A JSON value with `{placeholders}` in its strings.
public indirect enum JSONTemplate: Sendable, Hashable {
    case string(String)
    case number(Double)
    case integer(Int64)
    case boolean(Bool)
    case array([JSONTemplate])
    case object([(String, JSONTemplate)])

    public static func == (lhs: JSONTemplate, rhs: JSONTemplate) -> Bool {
        switch (lhs, rhs) {
        case let (.string(a), .string(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.integer(a), .integer(b)): return a == b
        case let (.boolean(a), .boolean(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)): return a.map(\.0) == b.map(\.0) && a.map(\.1) == b.map(\.1)
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .string(let text): hasher.combine(text)
        case .number(let number): hasher.combine(number)
        case .integer(let number): hasher.combine(number)
        case .boolean(let flag): hasher.combine(flag)
        case .array(let items): hasher.combine(items)
        case .object(let pairs):
            for (key, value) in pairs { hasher.combine(key); hasher.combine(value) }
        }
    }
}

public struct ReceiverConfiguration: Sendable {
    public var name: String
    public var number: String
    public var carrier: String
    public var country: String?
    /// What the receiver's source needs and how it reports.
    public var sourceTraits: ArrivalSourceTraits
    public var clock: LatencyClock
    public var secret: Secret?
    /// The spool folder of a modem source.
    public var spool: String?
    public var location: SourceLocation
    /// Whether the arrival hook must authenticate its callers (`auth = "none"` opens it).
    public var auth: HookAuthMode = .required
    /// Where `auth` was written, when it was.
    public var authLocation: SourceLocation?

    /// The receiver's arrival source.
    public var source: ArrivalSourceKind { sourceTraits.kind }
}

public struct ProbeConfiguration: Sendable, Hashable {
    /// The shortest interval a probe may have: shorter is no schedule, only a bill.
    public static let shortestInterval: TimeInterval = 0.01

    public var name: String
    public var route: String
    public var receivers: [String]
    public var interval: TimeInterval
    public var jitter: TimeInterval
    public var threshold: TimeInterval
    public var deadline: TimeInterval
    public var body: BodyTemplate
    public var enabled: Bool
    public var location: SourceLocation
}

public struct SLOConfiguration: Sendable, Hashable {
    public var name: String
    public var indicator: Indicator
    public var objective: Double
    public var window: TimeInterval
    public var location: SourceLocation
}

public struct AlertingConfiguration: Sendable, Hashable {
    /// The shortest evaluation (and repeat) interval: shorter would evaluate in a busy loop.
    public static let shortestEvaluationInterval: TimeInterval = 0.1

    public var minEvents: Int = 10
    public var repeatInterval: TimeInterval = 4 * 3_600
    public var notify: [NotifierConfiguration] = []
    /// How often the SLOs are evaluated.
    public var evaluationInterval: TimeInterval = 30
    /// How long a condition must hold before its alert fires (pending until then).
    public var pendingFor: TimeInterval = 0
    /// Confidence of the evidence test (the binomial lower bound) for tiers that set none.
    public var confidence: Double = 0.95
    /// The burn-rate tiers; DESIGN.md's four when not configured (their pages at 99.9 % confidence).
    /// Accepted-delivery pages come from the sequential detectors instead.
    public var tiers: [AlertTier] = AlertTier.standard
    /// False accepted-delivery pages accepted per route × carrier per year; sets the detectors' thresholds.
    public var falsePagesPerYear: Double = 1
    /// Whether accepted-delivery pages come from the sequential detectors (with `ReceiverSilent`
    /// and `CarrierLoss` blame); when false they come from the burn-rate page tiers.
    public var detectors = true
}

public struct NotifierConfiguration: Sendable, Hashable {
    public var kind: NotifierKind
    public var url: URL?
    public var command: [String]
    /// How long one post or command may take; a command still running then is killed.
    public var timeout: TimeInterval = 10
    /// Variables of the daemon's environment a command is given, beside `PATH`, `LANG` and the
    /// `LASTMILE_ALERT_*` ones.
    public var environment: [String] = []

    public init(kind: NotifierKind, url: URL?, command: [String], timeout: TimeInterval = 10, environment: [String] = []) {
        self.kind = kind
        self.url = url
        self.command = command
        self.timeout = timeout
        self.environment = environment
    }
}

/// Histogram buckets of `/metrics`, in seconds.
public struct MetricsConfiguration: Sendable, Hashable {
    /// For submit-to-arrival and submit-to-receipt times.
    public var deliveryBuckets: [Double] = [0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1_800]
    /// For the provider API's answer time.
    public var apiBuckets: [Double] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
}

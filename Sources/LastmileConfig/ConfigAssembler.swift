import Foundation
import LastmileCore
import TOML

/// Builds a `LastmileConfiguration` from the decoded files, logging every problem.
final class ConfigAssembler {
    let log: DiagnosticLog
    let environment: [String: String]
    let directory: URL
    /// The providers and sources routes and receivers may name.
    let catalogue: ProviderCatalogue
    /// Routes and receivers (`route:NAME`, `receiver:NAME`) whose hook secret was written but
    /// could not be read: already reported, so not reported again as missing.
    var unresolvedHookSecrets: Set<String> = []

    /// The shortest `[store] retention`: settled canaries stay in memory this long.
    static let shortestRetention: TimeInterval = 86_400

    init(log: DiagnosticLog, environment: [String: String], directory: URL, catalogue: ProviderCatalogue) {
        self.log = log
        self.catalogue = catalogue
        self.environment = environment
        self.directory = directory
    }

    func assemble(main: TableReader?, all readers: [TableReader], files: [String]) -> LastmileConfiguration {
        var server = ServerConfiguration(listen: ListenAddress(host: "127.0.0.1", port: 9733, isIPv6: false), publicURL: nil)
        var store = StorageConfiguration(path: "/var/lib/lastmile/lastmile.db", retention: 400 * 86_400)
        var defaults = ProbeDefaults()
        var defaultsLocation: [String: SourceLocation] = [:]
        var alerting = AlertingConfiguration()
        var metrics = MetricsConfiguration()
        var cluster = ClusterConfiguration()
        if let main {
            _ = main.node("include")
            if let section = main.table("server", context: "[server]") { server = readServer(section) }
            if let section = main.table("store", context: "[store]") { store = readStore(section) }
            if let section = main.table("defaults", context: "[defaults]") {
                (defaults, defaultsLocation) = readDefaults(section)
            }
            if let section = main.table("alerting", context: "[alerting]") { alerting = readAlerting(section) }
            if let section = main.table("metrics", context: "[metrics]") { metrics = readMetrics(section) }
            if let section = main.table("cluster", context: "[cluster]") {
                cluster = readCluster(section)
                if store.url == nil {
                    log.warning("[cluster] has no effect without [store] url: instances share nothing but a PostgreSQL store",
                                at: main.location(ofKey: "cluster"))
                }
            }
        }
        var routes: [RouteConfiguration] = []
        var receivers: [ReceiverConfiguration] = []
        var probeReaders: [TableReader] = []
        var slos: [SLOConfiguration] = []
        for reader in readers {
            if reader !== main {
                for section in ConfigLoader.mainOnlySections where reader.table.entry(section) != nil {
                    log.error("[\(section)] belongs in the main file, not in an included one", at: reader.location(ofKey: section))
                    _ = reader.node(section)
                }
            }
            routes += reader.tables("route").compactMap(readRoute)
            receivers += reader.tables("receiver").compactMap(readReceiver)
            probeReaders += reader.tables("probe")
            slos += reader.tables("slo").compactMap(readSLO)
            reader.reportUnknownKeys()
        }
        reportDuplicates(routes.map { ($0.name, $0.location) }, kind: "route")
        reportDuplicates(receivers.map { ($0.name, $0.location) }, kind: "receiver")
        reportDuplicates(slos.map { ($0.name, $0.location) }, kind: "slo")
        for slo in slos where slo.window > store.retention {
            log.error("[[slo]] \(slo.name): window \(CompactDuration.text(slo.window)) is longer than [store] retention "
                      + "\(CompactDuration.text(store.retention)); canaries pruned before the window ends would drop out of it "
                      + "whenever the SLO is counted again from the store (a restart, a reload, a new leader)", at: slo.location)
        }
        // References are checked against every declared name, so an entry with its own
        // error does not also make each probe that names it an error.
        func declaredNames(_ key: String) -> [String] {
            readers.flatMap { reader -> [String] in
                guard case .array(let nodes)? = reader.table[key] else { return [] }
                return nodes.compactMap { node in
                    guard case .table(let table) = node.value, case .string(let name)? = table["name"] else { return nil }
                    return name
                }
            }
        }
        let routeNames = declaredNames("route"), receiverNames = declaredNames("receiver")
        let probes = probeReaders.compactMap {
            readProbe($0, defaults: defaults, defaultsLocation: defaultsLocation, routes: routeNames, receivers: receiverNames)
        }
        reportDuplicates(probes.map { ($0.name, $0.location) }, kind: "probe")
        checkHooks(routes: routes, receivers: receivers, publicURL: server.publicURL)
        return LastmileConfiguration(files: files, server: server, store: store, defaults: defaults, routes: routes,
                                     receivers: receivers, probes: probes, slos: slos, alerting: alerting, metrics: metrics,
                                     cluster: cluster)
    }

    /// Every hook authenticates its callers unless it says `auth = "none"`.
    func checkHooks(routes: [RouteConfiguration], receivers: [ReceiverConfiguration], publicURL: URL?) {
        let open = "or write auth = \"none\" to accept them from anyone"
        for route in routes {
            if case .unavailable(let reason) = route.receiptHookScheme(publicURL: publicURL),
               !unresolvedHookSecrets.contains("route:\(route.name)") {
                log.error("route \"\(route.name)\": \(reason); \(open)", at: route.location)
            }
            if route.auth == .none, route.hookSecret != nil {
                log.error("route \"\(route.name)\": auth = \"none\" opens the hook, so its hook_secret would never be checked",
                          at: route.authLocation ?? route.location)
            }
        }
        for receiver in receivers {
            if case .unavailable(let reason)? = receiver.arrivalHookScheme(publicURL: publicURL),
               !unresolvedHookSecrets.contains("receiver:\(receiver.name)") {
                log.error("receiver \"\(receiver.name)\": \(reason); \(open)", at: receiver.location)
            }
            if receiver.sourceTraits.isSpool, receiver.auth == .none, let location = receiver.authLocation {
                log.error("receiver \"\(receiver.name)\": a spool source takes no webhooks, so auth does not apply", at: location)
            }
        }
    }

    /// `auth = "none"`, the one way to open a hook.
    func hookAuth(_ reader: TableReader) -> Located<HookAuthMode>? {
        guard let text = reader.choice("auth", ["none"]) else { return nil }
        return Located(.none, at: text.location)
    }

    func reportDuplicates(_ names: [(String, SourceLocation)], kind: String) {
        var first: [String: SourceLocation] = [:]
        for (name, location) in names {
            if let earlier = first[name] {
                log.error("duplicate \(kind) name \"\(name)\"; it is already defined at \(earlier)", at: location)
            } else {
                first[name] = location
            }
        }
    }

    /// A `name` that is present and usable as a label and a URL path segment.
    func name(_ reader: TableReader) -> Located<String>? {
        guard let name = reader.string("name", required: true) else { return nil }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        guard !name.value.isEmpty, name.value.allSatisfy(allowed.contains) else {
            log.error("\(reader.context): name \"\(name.value)\" may contain only letters, digits, '-', '_' and '.'",
                      at: name.location)
            return nil
        }
        return name
    }

    func url(_ reader: TableReader, _ key: String, required: Bool = false) -> URL? {
        guard let text = reader.string(key, required: required) else { return nil }
        guard let url = URL(string: text.value), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https", url.host != nil else {
            // Not quoted: a URL may carry a password or a token.
            log.error("\(reader.context): \"\(key)\" is not an http(s) URL with a host", at: text.location)
            return nil
        }
        return url
    }

    func secret(_ reader: TableReader, _ key: String, required: Bool = false) -> Secret? {
        reader.secret(key, required: required, environment: environment, baseDirectory: directory)?.value
    }
}

import Foundation
import LastmileCore
import TOML

extension ConfigAssembler {
    func readServer(_ reader: TableReader) -> ServerConfiguration {
        var server = ServerConfiguration(listen: ListenAddress(host: "127.0.0.1", port: 9733, isIPv6: false), publicURL: nil)
        if let listen = reader.string("listen") {
            switch ListenAddress.parse(listen.value) {
            case .success(let address): server.listen = address
            case .failure(let problem):
                log.error("[server]: listen = \"\(listen.value)\" is not an address to listen on: \(problem.reason)",
                          at: listen.location)
            }
        }
        server.publicURL = url(reader, "public_url")
        if let admin = reader.string("admin_listen") {
            switch ListenAddress.parse(admin.value) {
            case .success(let address):
                if address == server.listen {
                    log.error("[server]: admin_listen must differ from listen, or the admin pages face the internet with the hooks",
                              at: admin.location)
                }
                server.adminListen = address
            case .failure(let problem):
                log.error("[server]: admin_listen = \"\(admin.value)\" is not an address to listen on: \(problem.reason)",
                          at: admin.location)
            }
        }
        if let listen = reader.string("listen"), server.adminListen == nil, !server.listen.isLoopback {
            log.warning("[server]: listen = \"\(listen.value)\" can be reached from other machines and admin_listen is not set, so "
                        + "/metrics, the status page, /api/… and /trace/… face them with the hooks; set admin_listen = \"127.0.0.1:9734\"",
                        at: listen.location)
        }
        if let limit = reader.integer("max_reports_per_request", minimum: 1) { server.maximumReportsPerRequest = limit.value }
        if let limit = reader.integer("max_connections", minimum: 1) { server.maximumConnections = limit.value }
        if let limit = reader.integer("max_connections_per_peer", minimum: 1) { server.maximumConnectionsPerPeer = limit.value }
        reader.reportUnknownKeys()
        return server
    }

    func readStore(_ reader: TableReader) -> StorageConfiguration {
        var store = StorageConfiguration(path: "/var/lib/lastmile/lastmile.db", retention: 400 * 86_400)
        if let path = reader.string("path") {
            store.path = path.value.hasPrefix("/") ? path.value : directory.appendingPathComponent(path.value).path
            store.pathIsExplicit = true
        }
        if let retention = retention(reader, "retention", because: "a settled canary stays in memory for a day, "
                                         + "and a late report for one already pruned would bring it back") {
            store.retention = retention
        }
        if let retention = retention(reader, "unmatched_retention", because: "an early receipt waits there for its canary's API "
                                         + "answer, and a part of a long message for the rest of it") {
            store.unmatchedRetention = retention
        }
        if let limit = reader.integer("unmatched_limit", minimum: 1) { store.unmatchedLimit = limit.value }
        if let size = reader.string("max_size") {
            if let bytes = ByteSize.parse(size.value), bytes >= 1_048_576 {
                store.maximumSize = bytes
            } else {
                log.error("[store]: max_size = \"\(size.value)\" must be a size of at least 1MB, such as 500MB or 2GB", at: size.location)
            }
        }
        if let url = secret(reader, "url") {
            let here = reader.location(ofKey: "url")
            let lowered = url.reveal().lowercased()
            if !(lowered.hasPrefix("postgresql://") || lowered.hasPrefix("postgres://")) {
                log.error("[store]: url must be a PostgreSQL connection URI, postgresql://user@host:5432/database", at: here)
            } else if let path = reader.string("path") {
                log.error("[store]: path and url name two stores; keep path for a SQLite file of this instance's own, or url for "
                          + "a PostgreSQL database several instances share", at: path.location)
            } else {
                store.url = url
            }
            if let size = reader.string("max_size") {
                log.error("[store]: max_size limits a SQLite file; a PostgreSQL server keeps its own limits", at: size.location)
            }
        }
        reader.reportUnknownKeys()
        return store
    }

    /// A `[store]` retention of at least a day; shorter is a located error saying why (`because`).
    private func retention(_ reader: TableReader, _ key: String, because reason: String) -> TimeInterval? {
        guard let retention = reader.duration(key) else { return nil }
        guard retention.value >= Self.shortestRetention else {
            log.error("[store]: \(key) = \"\(CompactDuration.text(retention.value))\" must be at least 1d: \(reason)", at: retention.location)
            return nil
        }
        return retention.value
    }

    func readCluster(_ reader: TableReader) -> ClusterConfiguration {
        var cluster = ClusterConfiguration()
        cluster.isExplicit = true
        if let lease = reader.duration("lease") {
            if lease.value >= 1 && lease.value <= 300 {
                cluster.lease = lease.value
            } else {
                log.error("[cluster]: lease must be between 1s and 5m (15s is the default): another instance takes over within it",
                          at: lease.location)
            }
        }
        reader.reportUnknownKeys()
        return cluster
    }

    func readDefaults(_ reader: TableReader) -> (ProbeDefaults, [String: SourceLocation]) {
        var defaults = ProbeDefaults()
        var locations: [String: SourceLocation] = [:]
        if let value = reader.duration("interval", shortest: ProbeConfiguration.shortestInterval) { defaults.interval = value.value; locations["interval"] = value.location }
        if let value = reader.duration("jitter", allowZero: true) { defaults.jitter = value.value; locations["jitter"] = value.location }
        if let value = reader.duration("threshold") { defaults.threshold = value.value; locations["threshold"] = value.location }
        if let value = reader.duration("deadline") { defaults.deadline = value.value; locations["deadline"] = value.location }
        if let value = reader.string("body") { defaults.body = value.value; locations["body"] = value.location }
        reader.reportUnknownKeys()
        return (defaults, locations)
    }

    func readAlerting(_ reader: TableReader) -> AlertingConfiguration {
        var alerting = AlertingConfiguration()
        if let value = reader.integer("min_events", minimum: 1) { alerting.minEvents = value.value }
        if let value = reader.duration("repeat_interval", shortest: AlertingConfiguration.shortestEvaluationInterval) { alerting.repeatInterval = value.value }
        if let value = reader.duration("evaluation_interval", shortest: AlertingConfiguration.shortestEvaluationInterval) { alerting.evaluationInterval = value.value }
        if let value = reader.duration("pending_for", allowZero: true) { alerting.pendingFor = value.value }
        if let value = reader.number("confidence") {
            if value.value > 0.5 && value.value < 1 {
                alerting.confidence = value.value
            } else {
                log.error("[alerting]: confidence must be between 0.5 and 1 (e.g. 0.95)", at: value.location)
            }
        }
        if let value = reader.number("false_pages_per_year") {
            if value.value > 0 && value.value <= 1_000 {
                alerting.falsePagesPerYear = value.value
            } else {
                log.error("[alerting]: false_pages_per_year must be above 0 and at most 1000 (e.g. 1)", at: value.location)
            }
        }
        if let value = reader.boolean("detectors") { alerting.detectors = value.value }
        if reader.table.entry("tier") != nil {
            alerting.tiers = reader.tables("tier").compactMap { tier -> AlertTier? in
                tier.context = "[[alerting.tier]]"
                let severity = tier.string("severity", required: true)
                let long = tier.duration("long", required: true, shortest: SLODefinition.shortestWindow)
                let short = tier.duration("short", required: true, shortest: SLODefinition.shortestWindow)
                let factor = tier.number("factor", required: true)
                let enabled = tier.boolean("enabled")
                let confidence = tier.number("confidence")
                tier.reportUnknownKeys()
                guard let severity, let long, let short, let factor else { return nil }
                if short.value >= long.value { log.error("[[alerting.tier]]: short must be shorter than long", at: short.location) }
                if !(factor.value > 0 && factor.value.isFinite) {
                    log.error("[[alerting.tier]]: factor must be a number greater than zero (e.g. 14.4)", at: factor.location)
                }
                if let confidence, !(confidence.value > 0.5 && confidence.value < 1) {
                    log.error("[[alerting.tier]]: confidence must be between 0.5 and 1 (e.g. 0.999)", at: confidence.location)
                }
                return AlertTier(severity: severity.value, long: long.value, short: short.value, factor: factor.value,
                                 enabled: enabled?.value ?? true, confidence: confidence?.value)
            }
        }
        for notifier in reader.tables("notify") {
            let context = "[alerting] notify entry"
            let target = TableReader(notifier.table, context: context, file: notifier.file, log: log)
            guard let kind = target.choice("kind", NotifierKind.allCases.map(\.rawValue), required: true)
                .flatMap({ NotifierKind(rawValue: $0.value) }) else {
                _ = target.node("url"); _ = target.node("command"); _ = target.node("env"); _ = target.node("timeout")
                target.reportUnknownKeys()
                continue
            }
            var configuration = NotifierConfiguration(kind: kind, url: nil, command: [])
            switch kind {
            case .alertmanager, .webhook:
                configuration.url = url(target, "url", required: true)
            case .command:
                let command = target.stringArray("command", required: true) ?? []
                if command.isEmpty, target.table.entry("command") != nil {
                    log.error("\(context): \"command\" must name a program", at: target.location(ofKey: "command"))
                }
                configuration.command = command.map(\.value)
                for name in target.stringArray("env") ?? [] {
                    if name.value.isEmpty || !name.value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) {
                        log.error("\(context): env names variables to pass on, such as PAGER_KEY; \"\(name.value)\" is not one",
                                  at: name.location)
                    }
                    configuration.environment.append(name.value)
                }
            }
            if let timeout = target.duration("timeout") { configuration.timeout = timeout.value }
            target.reportUnknownKeys()
            alerting.notify.append(configuration)
        }
        reader.reportUnknownKeys()
        return alerting
    }

    func readSLO(_ reader: TableReader) -> SLOConfiguration? {
        let name = name(reader)
        if let name { reader.context = "slo \"\(name.value)\"" }
        let slo = reader, context = reader.context
        let indicator = slo.choice("indicator", Indicator.allCases.map(\.rawValue), required: true)
        let objective = slo.number("objective", required: true)
        if let objective, !(objective.value > 0 && objective.value < 1) {
            log.error("\(context): objective must be between 0 and 1 (e.g. 0.99), not \(objective.value)", at: objective.location)
        }
        let window = slo.duration("window", shortest: SLODefinition.shortestWindow)
        slo.reportUnknownKeys()
        guard let name, let indicator = indicator.flatMap({ Indicator(rawValue: $0.value) }), let objective,
              objective.value > 0 && objective.value < 1 else { return nil }
        return SLOConfiguration(name: name.value, indicator: indicator, objective: objective.value,
                                window: window?.value ?? 28 * 86_400, location: name.location)
    }
}

extension ConfigAssembler {
    func readMetrics(_ reader: TableReader) -> MetricsConfiguration {
        var metrics = MetricsConfiguration()
        for (key, assign) in [("delivery_buckets", { (value: [Double]) in metrics.deliveryBuckets = value }),
                              ("api_buckets", { (value: [Double]) in metrics.apiBuckets = value })] {
            guard let texts = reader.stringArray(key) else { continue }
            var bounds: [Double] = []
            for text in texts {
                guard let seconds = ConfigDuration.parse(text.value), seconds > 0, seconds <= ConfigDuration.longest else {
                    log.error("[metrics]: \"\(text.value)\" in \(key) is not a duration such as 250ms or 2m", at: text.location)
                    continue
                }
                bounds.append(seconds)
            }
            if bounds != bounds.sorted() || Set(bounds).count != bounds.count {
                log.error("[metrics]: \(key) must be in increasing order without repeats", at: reader.location(ofKey: key))
            } else if bounds.isEmpty {
                log.error("[metrics]: \(key) needs at least one bucket", at: reader.location(ofKey: key))
            } else {
                assign(bounds)
            }
        }
        reader.reportUnknownKeys()
        return metrics
    }
}

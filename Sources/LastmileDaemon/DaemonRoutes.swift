import Foundation
import HTTP
import LastmileBase
import LastmileCore
import LastmileProviders
import LastmileStore
import LastmileViews

/// The daemon's HTTP surface: metrics, health, webhooks, and the canary API.
struct DaemonRoutes: Sendable {
    let engine: CanaryEngine
    let store: CanaryStore
    /// Where the hooks' reports go: the engine, or the shared inbox.
    let intake: ReportIntake
    let metrics: DaemonMetrics
    let logger: Logger
    let clock: any WallClock
    let context: @Sendable () -> DaemonContext
    let isReady: @Sendable () -> Bool
    /// Families kept outside `DaemonMetrics` (SLOs, alerts).
    let extraFamilies: @Sendable () -> [MetricFamily]
    /// For the status page.
    let sloStatuses: @Sendable (Date) -> [SLOStatus]
    /// The alerts firing and pending, for the status page.
    let alerts: @Sendable () async -> (firing: [FiringAlert], pending: [FiringAlert])
    /// Whether this instance leads now: the others leave the leader's families out of `/metrics`.
    let leading: @Sendable () -> Bool
    /// Warnings a stranger or a misbehaving sender can cause with every request.
    let refusals = LogThrottle()

    /// Which paths a listener serves.
    enum Surface: Sendable {
        /// The hooks and health checks: what faces the internet when `admin_listen` is set.
        case hooks
        /// Metrics, the status page, the canary API and traces, with health checks.
        case admin
        /// Everything, on one listener.
        case all
    }

    func router(_ surface: Surface = .all) -> Router {
        var router = Router()
        router.add("GET", "/healthz") { _ in .text("ok") }
        router.add("GET", "/readyz") { _ in isReady() ? .text("ready") : .error(.serviceUnavailable, "not ready") }
        if surface != .admin {
            for method in ["POST", "GET"] {
                router.add(method, "/hooks/receipts/{route}") { request in
                    let response = await receipts(request)
                    metrics.countWebhook(hook: "receipts", status: response.status.code)
                    return response
                }
                router.add(method, "/hooks/arrivals/{receiver}") { request in
                    let response = await arrivals(request)
                    metrics.countWebhook(hook: "arrivals", status: response.status.code)
                    return response
                }
            }
        }
        if surface != .hooks {
            router.add("GET", "/metrics") { request in
                // OpenMetrics, with exemplars, for scrapers that ask for it; Prometheus text otherwise.
                let leads = leading()
                let families = (metrics.families() + extraFamilies()).filter { leads || !MetricDefinition.leaderOnly.contains($0.name) }
                let open = OpenMetricsText.isAccepted(by: request.headers["Accept"])
                return HTTPResponse(status: .ok,
                                    headers: HTTPHeaders([("Content-Type", open ? OpenMetricsText.contentType : PrometheusText.contentType),
                                                          ("Vary", "Accept")]),
                                    body: open ? OpenMetricsText.renderBytes(families) : PrometheusText.renderBytes(families))
            }
            router.add("GET", "/") { request in try await statusPage(request) }
            router.add("GET", "/api/canaries") { request in try await listCanaries(request) }
            router.add("GET", "/api/canaries/{id}") { request in try await canaryTimeline(request) }
            router.add("GET", "/trace/{id}") { request in try await tracePage(request) }
        }
        return router
    }

    /// Why a hook refuses a request before reading it: a method its sender never uses, or a
    /// browser's request (providers and phones send no `Origin`; a web page open in the
    /// operator's browser does, and must not reach a loopback daemon's hooks).
    func refusal(of request: HTTPRequest, methods: [String]) -> HTTPResponse? {
        guard methods.contains(request.method) else {
            var response = HTTPResponse.error(.methodNotAllowed, "this hook takes \(methods.joined(separator: ", "))")
            response.headers.set("Allow", methods.joined(separator: ", "))
            return response
        }
        if request.headers["Origin"] != nil || request.headers["Sec-Fetch-Site"].map({ $0 != "none" }) == true {
            return .error(.forbidden, "hooks do not take requests from web pages")
        }
        return nil
    }

    /// The refusal when one request carries more reports than a request may.
    func tooMany(_ count: Int, limit: Int) -> HTTPResponse? {
        guard count > limit else { return nil }
        return .error(.contentTooLarge, "the request carries \(count) reports; at most \(limit) are taken per request")
    }

    func receipts(_ request: HTTPRequest) async -> HTTPResponse {
        let name = request.parameters["route"] ?? ""
        let context = context()
        guard let route = context.routes[name] else { return .error(.notFound, "no route is named \(name)") }
        if let refusal = refusal(of: request, methods: route.configuration.receiptMethods) { return refusal }
        if let refusal = route.verifier.check(request, url: context.publicURL(for: request.head.target), now: clock.now) {
            logger.warning("receipt refused", throttledBy: refusals, [("route", name), ("status", String(refusal.status.code)), ("reason", refusal.reason)])
            return .error(refusal.status, refusal.reason)
        }
        guard let parser = route.receiptParser else { return .error(.notFound, "route \(name) has no receipt parser") }
        let parsed: [ParsedReceipt]
        do {
            parsed = try parser.receipts(from: request)
        } catch {
            logger.warning("malformed receipt", throttledBy: refusals, [("route", name), ("reason", error.reason)])
            return .error(error.status, error.reason)
        }
        guard !parsed.isEmpty else { return .text("ignored") }
        if let refusal = tooMany(parsed.count, limit: context.configuration.server.maximumReportsPerRequest) {
            logger.warning("receipts refused", throttledBy: refusals, [("route", name), ("reports", String(parsed.count)), ("reason", "too many in one request")])
            return refusal
        }
        do {
            guard let matches = try await intake.receipts(parsed, route: name, rawPayload: raw(request), at: arrivalTime(request)) else {
                logger.info("receipts queued for the leader", [("route", name), ("reports", String(parsed.count))])
                return .text("ok")
            }
            for (receipt, match) in zip(parsed, matches) {
                logger.info("receipt", [("canary", match.canaryID ?? "-"), ("route", name), ("message_id", receipt.messageID ?? "-"),
                                        ("status", receipt.rawStatus), ("match", describe(match))])
            }
            return .text("ok")
        } catch {
            logger.error("receipt not stored; asking the sender to retry", [("route", name), ("error", "\(error)")])
            return unavailable()
        }
    }

    func arrivals(_ request: HTTPRequest) async -> HTTPResponse {
        let name = request.parameters["receiver"] ?? ""
        let context = context()
        guard let receiver = context.receivers[name] else { return .error(.notFound, "no receiver is named \(name)") }
        guard let parser = receiver.parser else {
            return .error(.notFound, "receiver \(name) reads a spool folder and takes no webhooks")
        }
        if let refusal = refusal(of: request, methods: receiver.configuration.arrivalMethods) { return refusal }
        if let refusal = receiver.verifier.check(request, url: context.publicURL(for: request.head.target), now: clock.now) {
            logger.warning("arrival refused", throttledBy: refusals, [("receiver", name), ("status", String(refusal.status.code)), ("reason", refusal.reason)])
            return .error(refusal.status, refusal.reason)
        }
        let parsed: [ParsedArrival]
        do {
            parsed = try parser.arrivals(from: request)
        } catch {
            logger.warning("malformed arrival", throttledBy: refusals, [("receiver", name), ("reason", error.reason)])
            return .error(error.status, error.reason)
        }
        guard !parsed.isEmpty else { return .text("ignored") }
        if let refusal = tooMany(parsed.count, limit: context.configuration.server.maximumReportsPerRequest) {
            logger.warning("arrivals refused", throttledBy: refusals, [("receiver", name), ("reports", String(parsed.count)), ("reason", "too many in one request")])
            return refusal
        }
        let at = arrivalTime(request)
        do {
            if parsed.contains(where: { $0.part != nil }) {
                guard let matches = try await intake.parts(parsed, receiver: name, rawPayload: raw(request), at: at) else {
                    logger.info("arrival parts queued for the leader", [("receiver", name), ("reports", String(parsed.count))])
                    return .text("ok")
                }
                for match in matches {
                    logger.info(match == nil ? "arrival part stored" : "arrival", [("canary", match?.canaryID ?? "-"), ("receiver", name),
                                                                                  ("match", match.map(describe) ?? "waiting for parts")])
                }
                return .text("ok")
            }
            guard let matches = try await intake.arrivals(parsed, receiver: name, rawPayload: raw(request), at: at) else {
                logger.info("arrivals queued for the leader", [("receiver", name), ("reports", String(parsed.count))])
                return .text("ok")
            }
            for match in matches {
                logger.info("arrival", [("canary", match.canaryID ?? "-"), ("receiver", name), ("match", describe(match))])
            }
            return .text("ok")
        } catch {
            logger.error("arrival not stored; asking the sender to retry", [("receiver", name), ("error", "\(error)")])
            return unavailable()
        }
    }

    /// When a request arrived, on the daemon's clock: the kernel's stamp mapped onto it.
    func arrivalTime(_ request: HTTPRequest) -> Date {
        guard let received = request.receivedAt else { return clock.now }
        return clock.instant(fromReal: received) ?? received
    }

    func unavailable() -> HTTPResponse {
        var response = HTTPResponse.error(.serviceUnavailable, "the report could not be stored; retry later")
        response.headers.set("Retry-After", "5")
        return response
    }

    /// The request as received: the target line and the body, so GET callbacks keep their query,
    /// less the hook's own `token`, which must not sit in the store.
    func raw(_ request: HTTPRequest) -> Data {
        request.method == "GET" ? Data(HookTarget.withoutToken(request.head.target).utf8) : Data(request.body)
    }

    func describe(_ match: ReportMatch) -> String {
        switch match {
        case .matched: return "matched"
        case .duplicate: return "duplicate"
        case .unmatched(let reason, _): return "unmatched:\(reason.rawValue)"
        }
    }

    /// The last hour (or `?hours=N`) per route × carrier, as an HTML page.
    func statusPage(_ request: HTTPRequest) async throws -> HTTPResponse {
        var hours = 1.0
        if let text = request.queryValue("hours") {
            guard let value = Double(text), value.isFinite, value > 0, value <= 24 * 400 else {
                return .error(.badRequest, "hours must be a number of hours above 0 and at most 9600, such as 24")
            }
            hours = value
        }
        let now = clock.now
        let from = now.addingTimeInterval(-hours * 3_600)
        let canaries = try await store.reading { try $0.canaries(matching: CanaryQuery(since: from, limit: 10_000)) }
        let (firing, pending) = await alerts()
        var status = StatusPage(now: now, from: from, canaries: canaries, slos: sloStatuses(now), firing: firing)
        status.pending = pending
        let page = status.render()
        return HTTPResponse(status: .ok, headers: HTTPHeaders([("Content-Type", "text/html; charset=utf-8")]), body: Array(page.utf8))
    }

    /// One canary's trace as a page.
    func tracePage(_ request: HTTPRequest) async throws -> HTTPResponse {
        let key = request.parameters["id"] ?? ""
        guard let trace = try await store.reading({ try CanaryTrace(store: $0, key: key) }) else { return .error(.notFound, "no canary has id or token \(key)") }
        let page = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8" /><title>Canary \(StatusPage.escape(key))</title>
            <style>body{font-family:system-ui,sans-serif;margin:1.5em}pre{font-size:.9em;line-height:1.4}</style></head><body>
            <p><a href="/">status</a> · <a href="/api/canaries/\(StatusPage.escape(key))">JSON</a></p>
            <pre>\(StatusPage.escape(trace.text))</pre></body></html>

            """
        return HTTPResponse(status: .ok, headers: HTTPHeaders([("Content-Type", "text/html; charset=utf-8")]), body: Array(page.utf8))
    }

    func listCanaries(_ request: HTTPRequest) async throws -> HTTPResponse {
        var query = CanaryQuery(route: request.queryValue("route"), carrier: request.queryValue("carrier"),
                                probe: request.queryValue("probe"))
        if let text = request.queryValue("verdict") {
            guard let verdict = Verdict(rawValue: text) else {
                return .error(.badRequest, "verdict must be one of \(Verdict.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            query.verdict = verdict
        }
        if let text = request.queryValue("limit") {
            guard let limit = Int(text), (1...1_000).contains(limit) else {
                return .error(.badRequest, "limit must be a whole number from 1 to 1000")
            }
            query.limit = limit
        }
        let canaries = try await store.reading { [query] in try $0.canaries(matching: query) }
        return .json(CanaryJSON.encode(canaries.map(CanaryJSON.summary)))
    }

    func canaryTimeline(_ request: HTTPRequest) async throws -> HTTPResponse {
        let key = request.parameters["id"] ?? ""
        guard let trace = try await store.reading({ try CanaryTrace(store: $0, key: key) }) else { return .error(.notFound, "no canary has id or token \(key)") }
        return .json(trace.json)
    }
}

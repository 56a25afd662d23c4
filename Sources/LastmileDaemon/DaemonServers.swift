import Foundation
import HTTP
import LastmileBase
import LastmileConfig
import LastmileCore
import Synchronization

/// The daemon's listeners: the main one (hooks, and everything else unless `admin_listen` is
/// set) and the admin one. Every answer carries the security headers.
final class DaemonServers: Sendable {
    let main: HTTPServer
    let admin: HTTPServer?
    let address: ListenAddress
    let adminAddress: ListenAddress?

    private let routers: Routers

    /// The routers the listeners answer with, installed once the daemon is built.
    final class Routers: Sendable {
        let main = Mutex<Router?>(nil)
        let admin = Mutex<Router?>(nil)
    }

    private init(main: HTTPServer, admin: HTTPServer?, address: ListenAddress, adminAddress: ListenAddress?, routers: Routers) {
        self.main = main
        self.admin = admin
        self.address = address
        self.adminAddress = adminAddress
        self.routers = routers
    }

    /// The largest body a hook's request may have to be handled on its loop. A callback is a
    /// few hundred bytes; a larger body costs its signature check and its parsing time in
    /// proportion, which every other connection of the loop would wait through.
    static let largestBodyOnLoop = 16 * 1024

    /// The requests answered on their connection's event loop: the health checks, and the hooks
    /// with small bodies, whose handlers only wait (on the engine and the store's writer) and
    /// never block a thread for long. The pages, the API, `/metrics` and large hook bodies read
    /// the store, render or parse at length, so they go to the pool.
    @Sendable static func handledOnLoop(_ request: HTTPRequest) -> Bool {
        let path = request.head.path
        return (path.hasPrefix("/hooks/") && request.body.count <= largestBodyOnLoop) || path == "/healthz" || path == "/readyz"
    }

    /// The listeners' connection metrics, one series set per listener.
    func families() -> [MetricFamily] {
        var open: [MetricLabels: Double] = [:], refused: [MetricLabels: Double] = [:]
        var timedOut: [MetricLabels: Double] = [:], large: [MetricLabels: Double] = [:], largeRequests: [MetricLabels: Double] = [:]
        for (name, server) in [("main", main)] + (admin.map { [("admin", $0)] } ?? []) {
            let counts = server.counts
            open[["listener": name]] = Double(counts.open)
            refused[["listener": name, "reason": "full"]] = Double(counts.refusedFull)
            refused[["listener": name, "reason": "peer"]] = Double(counts.refusedPeer)
            for phase in HTTPServerCounts.Phase.allCases {
                timedOut[["listener": name, "phase": phase.rawValue]] = Double(counts.timedOut[phase, default: 0])
            }
            large[["listener": name]] = Double(counts.largeAnswersRefused)
            largeRequests[["listener": name]] = Double(counts.largeRequestsRefused)
        }
        return [MetricDefinition.httpConnections.family(open), MetricDefinition.httpConnectionsRefused.family(refused),
                MetricDefinition.httpConnectionsTimedOut.family(timedOut), MetricDefinition.httpLargeAnswersRefused.family(large),
                MetricDefinition.httpLargeRequestsRefused.family(largeRequests)]
    }

    /// Binds the listeners; their routers are installed once the daemon is built.
    static func open(main address: ListenAddress, admin adminAddress: ListenAddress?, limits: HTTPLimits, clock: any WallClock,
                     logger: Logger) throws(Daemon.StartError) -> DaemonServers {
        // With a clock that follows the machine's time, requests carry the kernel's arrival time mapped onto it;
        // other clocks (simulations) stamp them themselves.
        let stamp: (@Sendable () -> Date)? = clock.instant(fromReal: Date()) != nil ? nil : { @Sendable in clock.now }
        let routers = Routers()
        func server(admin: Bool) -> HTTPServer {
            HTTPServer(limits: limits, now: stamp, handlesOnLoop: Self.handledOnLoop, onListenerFailure: { reason in
                logger.error("listener failed; /readyz now fails", [("listener", admin ? "admin" : "main"), ("reason", reason)])
            }) { request in
                let installed = admin ? routers.admin.withLock { $0 } : routers.main.withLock { $0 }
                guard let router = installed else { return .error(.serviceUnavailable, "starting") }
                return SecurityHeaders.apply(to: try await router.handle(request))
            }
        }
        let main = server(admin: false)
        let mainPort: UInt16
        do {
            mainPort = try main.listen(host: address.host, port: address.port)
        } catch {
            throw .listen("\(address): \(error)")
        }
        var admin: HTTPServer?
        var boundAdmin: ListenAddress?
        if let adminAddress {
            let server = server(admin: true)
            do {
                let port = try server.listen(host: adminAddress.host, port: adminAddress.port)
                boundAdmin = ListenAddress(host: adminAddress.host, port: port, isIPv6: adminAddress.isIPv6)
                admin = server
            } catch {
                main.close()
                throw .listen("admin_listen \(adminAddress): \(error)")
            }
        }
        return DaemonServers(main: main, admin: admin,
                             address: ListenAddress(host: address.host, port: mainPort, isIPv6: address.isIPv6),
                             adminAddress: boundAdmin, routers: routers)
    }

    /// Starts answering: the hooks on the main listener, the admin pages on theirs (or on the main one).
    func install(_ routes: DaemonRoutes) {
        routers.main.withLock { $0 = routes.router(admin == nil ? .all : .hooks) }
        if admin != nil { routers.admin.withLock { $0 = routes.router(.admin) } }
    }
}

/// Headers every answer carries: nothing is sniffed, framed, cached, or allowed to load more
/// than the page's own inline styles and images.
enum SecurityHeaders {
    static let values: [(String, String)] = [
        ("X-Content-Type-Options", "nosniff"),
        ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "no-referrer"),
        ("Cache-Control", "no-store"),
    ]

    static func apply(to response: HTTPResponse) -> HTTPResponse {
        var response = response
        for (name, value) in values where response.headers[name] == nil { response.headers.add(name, value) }
        return response
    }
}

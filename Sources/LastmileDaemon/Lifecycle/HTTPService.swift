import HTTP

/// The HTTP listeners as a service: they serve on their own threads from the start; at
/// shutdown they stop accepting and let requests in flight finish before the deadline.
struct HTTPService: Service {
    let name = "http"
    let main: HTTPServer
    let admin: HTTPServer?

    func run(until shutdown: Shutdown) async {
        await shutdown.requested.wait()
        // Half a second at least, so answers being written are not cut off.
        let grace = max(0.5, shutdown.remaining / .seconds(1))
        // Both at once: the public listener stops accepting at once, not after the admin one has drained.
        async let adminStopped: Void? = admin?.stop(grace: 0.5)
        await main.stop(grace: grace)
        _ = await adminStopped
    }
}

/// Configuration fragments the daemon's tests build their files from.
public enum ConfigText {
    /// A generic `http` route that sends to a closed loopback port: enough for scheduling and
    /// alerting tests, which never reach a provider. `extra` lines go into the route's table.
    public static func httpRoute(name: String = "r", extra: String = "") -> String {
        """
        [[route]]
        name = "\(name)"
        provider = "http"
        from = "LASTMILE"
        hook_secret = "\(name)-hook-token"
        \(extra)
        [route.request]
        url = "http://127.0.0.1:9/send"
        json = { to = "{to}" }
        [route.receipt]
        delivered = ["DELIVRD"]

        """
    }
}

import Glibc
import LastmileBase

extension Daemon {
    /// The signals `runUntilSignalled` acts on, caught from the start of `lastmile run`
    /// (`SignalInbox.install`) so that none that comes while the daemon starts is lost or ends it.
    public static let handledSignals = [SIGTERM, SIGINT, SIGHUP]

    /// Serves until SIGTERM or SIGINT (then stops and returns 0); SIGHUP reloads. A signal that
    /// came while the daemon started is acted on now.
    public func runUntilSignalled() async -> Int32 {
        SignalInbox.install(Self.handledSignals)
        for await signalNumber in SignalInbox.signals() {
            if signalNumber == SIGHUP {
                logger.notice("reloading on SIGHUP")
                await reload()
                continue
            }
            guard signalNumber == SIGTERM || signalNumber == SIGINT else { continue }
            logger.notice("signal received", [("signal", signalNumber == SIGTERM ? "SIGTERM" : "SIGINT")])
            break
        }
        await stop()
        return 0
    }
}

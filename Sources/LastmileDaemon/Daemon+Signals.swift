import Glibc
import LastmileBase

extension Daemon {
    /// The signals `runUntilSignalled` acts on.
    public static let handledSignals = [SIGTERM, SIGINT, SIGHUP]

    /// Serves until SIGTERM or SIGINT (then stops and returns 0); SIGHUP reloads. A SIGHUP that
    /// came while the daemon started (caught since `lastmile run` began) is acted on now.
    /// Returns 1, after stopping, if signals can no longer be read.
    public func runUntilSignalled() async -> Int32 {
        guard SignalInbox.install(Self.handledSignals) else {
            logger.error("signals cannot be caught; stopping")
            await stop()
            return 1
        }
        var signalled = false
        for await signalNumber in SignalInbox.signals() {
            if signalNumber == SIGHUP {
                logger.notice("reloading on SIGHUP")
                await reload()
                continue
            }
            guard signalNumber == SIGTERM || signalNumber == SIGINT else { continue }
            logger.notice("signal received", [("signal", signalNumber == SIGTERM ? "SIGTERM" : "SIGINT")])
            signalled = true
            break
        }
        if !signalled { logger.error("signals can no longer be read; stopping") }
        await stop()
        return signalled ? 0 : 1
    }
}

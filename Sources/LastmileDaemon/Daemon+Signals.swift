import Dispatch
import Glibc

extension Daemon {
    /// Serves until SIGTERM or SIGINT (then stops and returns 0); SIGHUP reloads.
    public func runUntilSignalled() async -> Int32 {
        // Ignored first, so the default action (exit) cannot run before the sources see them.
        for signalNumber in [SIGTERM, SIGINT, SIGHUP] { signal(signalNumber, SIG_IGN) }
        var sources: [any DispatchSourceSignal] = []
        let signals = AsyncStream<Int32> { continuation in
            for signalNumber in [SIGTERM, SIGINT, SIGHUP] {
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
                source.setEventHandler { continuation.yield(signalNumber) }
                source.resume()
                sources.append(source)
            }
        }
        for await signalNumber in signals {
            if signalNumber == SIGHUP {
                logger.notice("reloading on SIGHUP")
                await reload()
                continue
            }
            logger.notice("signal received", [("signal", signalNumber == SIGTERM ? "SIGTERM" : "SIGINT")])
            break
        }
        await stop()
        for source in sources { source.cancel() }
        return 0
    }
}

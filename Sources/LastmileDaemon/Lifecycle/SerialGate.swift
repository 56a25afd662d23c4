/// Runs one piece of work at a time, in the order callers arrived: for changes of the daemon's
/// state that must not interleave across their suspensions (a reload and a takeover each read
/// the configuration, then await the store, then apply what they read).
actor SerialGate {
    private var isBusy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// Runs `body` once no other body of this gate runs.
    func run<T: Sendable>(_ body: @Sendable () async -> T) async -> T {
        if isBusy {
            await withCheckedContinuation { waiting.append($0) }
        } else {
            isBusy = true
        }
        let result = await body()
        // Handed straight to the next in line, so no newcomer can slip in between.
        if waiting.isEmpty { isBusy = false } else { waiting.removeFirst().resume() }
        return result
    }
}

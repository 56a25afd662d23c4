/// Waiting on behaviour with a bound: a test that waits for something that never comes fails
/// after `timeout`, rather than hanging the whole run.
public enum Eventually {
    /// Whether `condition` held within `timeout`, asked every `poll`.
    public static func holds(within timeout: Duration = .seconds(60), poll: Duration = .milliseconds(5),
                             _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: poll)
        }
        return try await condition()
    }
}

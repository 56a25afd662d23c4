import Foundation

/// Request targets of hooks, as kept in the store and logs.
enum HookTarget {
    /// `target` without its `token` query parameter: the hook's secret, which a provider that can
    /// only call a URL (Kannel's dlr-url, a GET callback) carries there.
    static func withoutToken(_ target: String) -> String {
        guard let question = target.firstIndex(of: "?") else { return target }
        let path = target[..<question]
        let kept = target[target.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false)
            .filter { !($0 == "token" || $0.hasPrefix("token=")) }
        return kept.isEmpty ? String(path) : path + "?" + kept.joined(separator: "&")
    }
}

import Foundation
import HTTP

/// Request targets of hooks, as kept in the store and logs.
enum HookTarget {
    /// `target` without its `token` query parameter: the hook's secret, which a provider that can
    /// only call a URL (Kannel's dlr-url, a GET callback) carries there.
    static func withoutToken(_ target: String) -> String {
        guard let question = target.firstIndex(of: "?") else { return target }
        let path = target[..<question]
        // Names compared decoded, as the verifier reads them: `%74oken=` is the token too.
        let kept = target[target.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false)
            .filter { field in
                let name = field.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
                return (PercentEncoding.decode(name, plusAsSpace: true) ?? String(name)) != "token"
            }
        return kept.isEmpty ? String(path) : path + "?" + kept.joined(separator: "&")
    }
}

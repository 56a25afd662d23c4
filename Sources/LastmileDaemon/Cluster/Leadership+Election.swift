import Foundation
import LastmileStore

extension Leadership {
    /// The leadership of an instance whose store is at `location`: contested through the lease
    /// on a shared store, uncontested on a file.
    static func of(_ location: StoreLocation, lease: TimeInterval) -> Leadership {
        guard case .postgres(let url) = location else { return .alone() }
        let holder = instanceName()
        return Leadership(holder: holder, elector: LeaderElector(url: url, holder: holder, lease: .milliseconds(Int(lease * 1_000))))
    }
}

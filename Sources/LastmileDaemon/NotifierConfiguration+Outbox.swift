import Foundation
import LastmileConfig

extension NotifierConfiguration {
    /// Which notifier an outbox entry waits for: its kind and where it goes, so that editing its
    /// other settings (a timeout) keeps what waits for it.
    var outboxKey: String {
        switch kind {
        case .alertmanager, .webhook: return "\(kind.rawValue) \(url?.absoluteString ?? "")"
        case .command: return "command " + ((try? String(decoding: JSONEncoder().encode(command), as: UTF8.self)) ?? command.joined(separator: " "))
        }
    }
}

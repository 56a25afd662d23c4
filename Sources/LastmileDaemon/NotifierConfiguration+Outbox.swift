import Foundation
import LastmileConfig
import LastmileProviders

extension NotifierConfiguration {
    /// Which notifier an outbox entry waits for: its kind and a digest of where it goes, so that
    /// editing its other settings (a timeout) keeps what waits for it, and a secret in its URL
    /// or command line (a token in a webhook's path) is not written to the store.
    var outboxKey: String {
        let address: String
        switch kind {
        case .alertmanager, .webhook: address = url?.absoluteString ?? ""
        case .command: address = (try? String(decoding: JSONEncoder().encode(command), as: UTF8.self)) ?? command.joined(separator: " ")
        }
        return "\(kind.rawValue):" + Crypto.hex(Crypto.digest(.sha256, of: Array(address.utf8)))
    }
}

import Foundation
import LastmileConfig
import LastmileCore
import LastmileStore

extension AlertNotice {
    /// The alert this notice is about, as the outbox keys it: one waiting notice per alert.
    var outboxAlert: String {
        let finding = finding
        let parts = [finding.name.rawValue, finding.key.slo, finding.key.route, finding.key.carrier, finding.severity, finding.receiver]
        // JSON, so no name can run into the next.
        return (try? String(decoding: JSONEncoder().encode(parts), as: UTF8.self)) ?? parts.joined(separator: "\u{1F}")
    }

    /// Whether `kind` must still hear this notice after a restart or a change of leader.
    /// Alertmanager is sent every firing alert at every evaluation anyway, so only its
    /// resolutions are kept; webhooks and commands hear each notice once.
    func isKept(for kind: NotifierKind) -> Bool {
        kind != .alertmanager || status == .resolved
    }

    /// The notice as the outbox stores it.
    func outboxEntry(for notifier: String, at now: Date) throws -> AlertOutboxEntry {
        let stamp = AlertOutboxEntry.Stamp(notifier: notifier, alert: outboxAlert, version: Int64.random(in: 1...Int64.max))
        return AlertOutboxEntry(stamp: stamp, notice: try Self.encoder.encode(self), queuedAt: now)
    }

    /// The notice an outbox entry holds; nil when it cannot be read (written by another version).
    static func fromOutbox(_ entry: AlertOutboxEntry) -> AlertNotice? {
        try? decoder.decode(AlertNotice.self, from: entry.notice)
    }

    // A statistic past every bound is infinite, which plain JSON cannot hold.
    private static let infinity = JSONEncoder.NonConformingFloatEncodingStrategy.convertToString(
        positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = infinity
        return encoder
    }

    private static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }
}

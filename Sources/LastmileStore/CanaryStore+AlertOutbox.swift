import Foundation

extension CanaryStore {
    /// Puts each of `entries` in the outbox, in place of the entry about the same alert for the same notifier.
    static func queue(_ entries: [AlertOutboxEntry], on connection: any DatabaseConnection) throws {
        for entry in entries {
            try connection.run("""
                INSERT INTO alert_outbox (notifier, alert, version, queued_at, notice) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (notifier, alert) DO UPDATE SET version = excluded.version, queued_at = excluded.queued_at,
                                                            notice = excluded.notice
                """, [.text(entry.stamp.notifier), .text(entry.stamp.alert), .integer(entry.stamp.version),
                      StoreValue(entry.queuedAt), .blob(entry.notice)])
        }
    }

    /// Takes out of the outbox the notices `delivered` names, each only in the version named.
    /// On a shared store it is not fenced: a leader that stepped down (or is stopping) after a
    /// delivery still says it went out, or the next leader would send it again; naming the exact
    /// version, it can never remove a newer notice.
    public func removeFromOutbox(_ delivered: [AlertOutboxEntry.Stamp]) async throws {
        guard !delivered.isEmpty else { return }
        try await (intake ?? writer).write { connection in
            for stamp in delivered {
                try connection.run("DELETE FROM alert_outbox WHERE notifier = ? AND alert = ? AND version = ?",
                                   [.text(stamp.notifier), .text(stamp.alert), .integer(stamp.version)])
            }
        }
    }

    /// Takes out of the outbox every notice for a notifier not in `notifiers`: those no longer configured.
    public func removeFromOutbox(notifiersOtherThan notifiers: Set<String>) async throws {
        // Made from this term's state: it must not land in a later one.
        let term = termOfWrite()
        try await writer.write { connection in
            try term?.check()
            let statement = try connection.query("SELECT DISTINCT notifier FROM alert_outbox", [])
            var gone: [String] = []
            while try statement.step() {
                if let notifier = statement.value(at: 0).text, !notifiers.contains(notifier) { gone.append(notifier) }
            }
            for notifier in gone { try connection.run("DELETE FROM alert_outbox WHERE notifier = ?", [.text(notifier)]) }
        }
    }

    /// The notices waiting in the outbox, oldest first.
    public func outboxEntries() throws -> [AlertOutboxEntry] {
        try read { connection in
            let statement = try connection.query(
                "SELECT notifier, alert, version, queued_at, notice FROM alert_outbox ORDER BY queued_at, notifier, alert", [])
            var entries: [AlertOutboxEntry] = []
            while try statement.step() {
                guard let notifier = statement.value(at: 0).text, let alert = statement.value(at: 1).text,
                      let notice = statement.value(at: 4).blob else { continue }
                entries.append(AlertOutboxEntry(stamp: .init(notifier: notifier, alert: alert, version: statement.integer(at: 2)),
                                                notice: notice, queuedAt: statement.value(at: 3).date ?? Date(timeIntervalSince1970: 0)))
            }
            return entries
        }
    }
}

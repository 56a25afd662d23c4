import Foundation
import LastmileCore

extension CanaryStore {
    /// Replaces the stored alerts with those pending and firing now and queues `outbox`, the
    /// notices their changes give, in one transaction: a change is never stored without them.
    public func saveAlerts(firing: [FiringAlert], pending: [FiringAlert], outbox: [AlertOutboxEntry] = []) async throws {
        // Made from this term's state: it must not land in a later one.
        let term = termOfWrite()
        try await writer.write { connection in
            try term?.check()
            try Self.queue(outbox, on: connection)
            try connection.execute("DELETE FROM alerts")
            for (state, alert) in firing.map({ ("firing", $0) }) + pending.map({ ("pending", $0) }) {
                let finding = alert.finding
                try connection.run("""
                    INSERT INTO alerts (state, name, slo, route, carrier, severity, tier_long, tier_short, tier_factor, bad, total,
                                        lower_bound, allowed_rate, starts_at, last_notified_at, receiver)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, [StoreValue(state), StoreValue(finding.name.rawValue), StoreValue(finding.key.slo), StoreValue(finding.key.route),
                                    StoreValue(finding.key.carrier), StoreValue(finding.severity), StoreValue(finding.tier.long),
                                    StoreValue(finding.tier.short), StoreValue(finding.tier.factor), StoreValue(finding.badEvents),
                                    StoreValue(finding.totalEvents), StoreValue(finding.lowerBound), StoreValue(finding.allowedRate),
                                    StoreValue(alert.startsAt), StoreValue(alert.lastNotifiedAt),
                                    StoreValue(finding.receiver)])
            }
        }
    }

    /// The alerts that were firing and pending when last saved.
    public func storedAlerts() throws -> (firing: [FiringAlert], pending: [FiringAlert]) {
        try read { connection in
            let statement = try connection.query("""
                SELECT name, slo, route, carrier, severity, tier_long, tier_short, tier_factor, bad, total, lower_bound, allowed_rate,
                       starts_at, last_notified_at, state, receiver FROM alerts ORDER BY route, carrier, name, severity, receiver
                """, [])
            var alerts: (firing: [FiringAlert], pending: [FiringAlert]) = ([], [])
            while try statement.step() {
                let text = { (column: Int) in statement.value(at: column).text ?? "" }
                let real = { (column: Int) in statement.value(at: column).real ?? 0 }
                let tier = AlertTier(severity: text(4), long: real(5), short: real(6), factor: real(7))
                // An alert this version does not know (written by a newer one) is left out.
                guard let name = AlertName(rawValue: text(0)) else { continue }
                let finding = AlertFinding(name: name, key: SLOKey(slo: text(1), route: text(2), carrier: text(3)), severity: text(4),
                                           tier: tier, badEvents: Int(statement.integer(at: 8)), totalEvents: Int(statement.integer(at: 9)),
                                           lowerBound: real(10), allowedRate: real(11), receiver: text(15))
                guard let startsAt = statement.value(at: 12).date, let notified = statement.value(at: 13).date else { continue }
                let alert = FiringAlert(finding: finding, startsAt: startsAt, lastNotifiedAt: notified)
                if text(14) == "pending" { alerts.pending.append(alert) } else { alerts.firing.append(alert) }
            }
            return alerts
        }
    }
}

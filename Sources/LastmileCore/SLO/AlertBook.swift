import Foundation

/// One alert that is firing: which condition, since when, and when it was last told.
public struct FiringAlert: Sendable, Hashable {
    public init(finding: AlertFinding, startsAt: Date, lastNotifiedAt: Date) {
        self.finding = finding
        self.startsAt = startsAt
        self.lastNotifiedAt = lastNotifiedAt
    }

    /// The latest finding (counts and rates move while it fires).
    public var finding: AlertFinding
    public var startsAt: Date
    public var lastNotifiedAt: Date

    /// Alerts are one per name × SLO × route × carrier × severity, as Prometheus rules would make them.
    public var identity: AlertIdentity { AlertIdentity(finding) }
}

/// What identifies an alert across evaluations.
public struct AlertIdentity: Sendable, Hashable, Comparable {
    public var name: String
    public var key: SLOKey
    public var severity: String

    public init(_ finding: AlertFinding) {
        name = finding.name
        key = finding.key
        severity = finding.severity
    }

    public static func < (lhs: AlertIdentity, rhs: AlertIdentity) -> Bool {
        (lhs.key, lhs.name, lhs.severity) < (rhs.key, rhs.name, rhs.severity)
    }
}

/// What one evaluation changed.
public struct AlertUpdate: Sendable, Hashable {
    /// Newly firing.
    public var fired: [FiringAlert] = []
    /// Still firing and due to be told again (`repeat_interval` passed).
    public var repeated: [FiringAlert] = []
    /// No longer met; `lastNotifiedAt` is when it resolved.
    public var resolved: [FiringAlert] = []
    /// Everything firing after this evaluation.
    public var firing: [FiringAlert] = []

    public var isEmpty: Bool { fired.isEmpty && repeated.isEmpty && resolved.isEmpty }
}

/// The alerts that are firing, moved on by each evaluation's findings.
public struct AlertBook: Sendable {
    public private(set) var firing: [AlertIdentity: FiringAlert] = [:]
    public var repeatInterval: TimeInterval

    /// A book holding `restoring` (the alerts firing when the daemon last stopped) as firing.
    public init(repeatInterval: TimeInterval, restoring: [FiringAlert] = []) {
        self.repeatInterval = repeatInterval
        for alert in restoring { firing[alert.identity] = alert }
    }

    /// Fires alerts for new findings, resolves those whose condition is gone, and marks repeats due.
    public mutating func update(with findings: [AlertFinding], at now: Date) -> AlertUpdate {
        var update = AlertUpdate()
        var seen = Set<AlertIdentity>()
        for finding in findings {
            let identity = AlertIdentity(finding)
            seen.insert(identity)
            if var alert = firing[identity] {
                alert.finding = finding
                if now.timeIntervalSince(alert.lastNotifiedAt) >= repeatInterval {
                    alert.lastNotifiedAt = now
                    update.repeated.append(alert)
                }
                firing[identity] = alert
            } else {
                let alert = FiringAlert(finding: finding, startsAt: now, lastNotifiedAt: now)
                firing[identity] = alert
                update.fired.append(alert)
            }
        }
        for (identity, alert) in firing where !seen.contains(identity) {
            var resolved = alert
            resolved.lastNotifiedAt = now
            update.resolved.append(resolved)
            firing[identity] = nil
        }
        update.fired.sort { $0.identity < $1.identity }
        update.repeated.sort { $0.identity < $1.identity }
        update.resolved.sort { $0.identity < $1.identity }
        update.firing = firing.values.sorted { $0.identity < $1.identity }
        return update
    }
}

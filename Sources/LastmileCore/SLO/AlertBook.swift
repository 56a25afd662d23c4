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
    public var name: AlertName
    public var key: SLOKey
    public var severity: String
    public var receiver: String

    public init(_ finding: AlertFinding) {
        name = finding.name
        key = finding.key
        severity = finding.severity
        receiver = finding.receiver
    }

    public static func < (lhs: AlertIdentity, rhs: AlertIdentity) -> Bool {
        (lhs.key, lhs.name, lhs.severity, lhs.receiver) < (rhs.key, rhs.name, rhs.severity, rhs.receiver)
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
    /// Conditions met but not yet for `pendingFor`; `startsAt` is when they were first met.
    public var pending: [FiringAlert] = []
    /// Whether the pending set changed (a condition began or stopped being met before firing).
    public var pendingChanged = false

    /// No change at all.
    public init() {}

    /// Nothing to tell anyone, and nothing to store.
    public var isEmpty: Bool { fired.isEmpty && repeated.isEmpty && resolved.isEmpty && !pendingChanged }
}

/// The alerts that are pending or firing, moved on by each evaluation's findings: a condition
/// met is pending until it has held for `pendingFor`, then fires; it resolves when no longer met
/// (a pending one that stops being met is dropped without a word).
public struct AlertBook: Sendable {
    public private(set) var firing: [AlertIdentity: FiringAlert] = [:]
    public private(set) var pending: [AlertIdentity: FiringAlert] = [:]
    public var repeatInterval: TimeInterval
    public var pendingFor: TimeInterval

    /// A book holding `restoring` (the alerts firing when the daemon last stopped) as firing,
    /// and `restoringPending` as pending.
    public init(repeatInterval: TimeInterval, pendingFor: TimeInterval = 0, restoring: [FiringAlert] = [],
                restoringPending: [FiringAlert] = []) {
        self.repeatInterval = repeatInterval
        self.pendingFor = pendingFor
        for alert in restoring { firing[alert.identity] = alert }
        for alert in restoringPending { pending[alert.identity] = alert }
    }

    /// Fires alerts for findings that have held long enough, resolves those whose condition is
    /// gone, and marks repeats due.
    public mutating func update(with findings: [AlertFinding], at now: Date) -> AlertUpdate {
        var update = AlertUpdate()
        var seen = Set<AlertIdentity>()
        for finding in findings {
            let identity = AlertIdentity(finding)
            seen.insert(identity)
            if firing[identity] == nil {
                var candidate = pending[identity] ?? FiringAlert(finding: finding, startsAt: now, lastNotifiedAt: now)
                candidate.finding = finding
                if pending[identity] == nil { update.pendingChanged = true }
                guard now.timeIntervalSince(candidate.startsAt) >= pendingFor else {
                    pending[identity] = candidate
                    continue
                }
                pending[identity] = nil
                update.pendingChanged = true
                candidate.lastNotifiedAt = now
                firing[identity] = candidate
                update.fired.append(candidate)
            } else if var alert = firing[identity] {
                alert.finding = finding
                if now.timeIntervalSince(alert.lastNotifiedAt) >= repeatInterval {
                    alert.lastNotifiedAt = now
                    update.repeated.append(alert)
                }
                firing[identity] = alert
            }
        }
        for identity in pending.keys where !seen.contains(identity) {
            pending[identity] = nil
            update.pendingChanged = true
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
        update.pending = pending.values.sorted { $0.identity < $1.identity }
        return update
    }
}

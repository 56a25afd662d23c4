import Foundation

/// The calendar periods reports name (in UTC): whole days, ISO weeks and months that have ended.
public enum SummaryPeriod: String, CaseIterable, Sendable {
    case yesterday
    case lastWeek = "last-week"
    case lastMonth = "last-month"

    /// The period's bounds, from inclusive and to exclusive, as of `now`.
    public func bounds(now: Date) -> (from: Date, to: Date) {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let today = calendar.startOfDay(for: now)
        switch self {
        case .yesterday:
            return (calendar.date(byAdding: .day, value: -1, to: today)!, today)
        case .lastWeek:
            let thisWeek = calendar.dateInterval(of: .weekOfYear, for: now)!.start
            return (calendar.date(byAdding: .day, value: -7, to: thisWeek)!, thisWeek)
        case .lastMonth:
            let thisMonth = calendar.dateInterval(of: .month, for: now)!.start
            return (calendar.date(byAdding: .month, value: -1, to: thisMonth)!, thisMonth)
        }
    }
}

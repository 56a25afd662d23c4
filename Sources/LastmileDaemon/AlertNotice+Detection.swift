import Foundation
import LastmileBase
import LastmileCore

extension AlertNotice {
    /// What a detector's page says: what is losing, how many canaries say so, and the
    /// evidence against the healthy loss rate.
    func detectedSummary(_ detection: DetectionEvidence) -> String {
        let subject: String
        switch finding.name {
        case .receiverSilent: subject = "receiver \(finding.receiver) (\(finding.key.carrier)) hears no route"
        case .carrierLoss: subject = "\(finding.key.carrier): no route reaches its receivers"
        default: subject = "\(finding.key.route) × \(finding.key.carrier)"
        }
        let since = detection.since.map { " since \(Timestamps.format($0))" } ?? ""
        let healthy = String(format: "%.1f%%", detection.healthyRate * 100)
        let jump = String(format: "%g%%", detection.jump * 100)
        return "\(subject): \(finding.badEvents) of \(finding.totalEvents) accepted canaries\(since) never arrived or are overdue "
            + "(healthy loss \(healthy); evidence of a \(jump) loss \(String(format: "%.1f", detection.statistic)) "
            + "past a threshold of \(String(format: "%.1f", detection.threshold)))"
    }
}

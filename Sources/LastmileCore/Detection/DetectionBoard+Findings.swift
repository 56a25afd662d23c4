import Foundation

extension DetectionBoard.Evaluation {
    /// The pages this evaluation raises, as alert findings of the accepted-delivery SLO `slo`:
    /// route pages that fire, and those held back only while already firing (a held-back
    /// page does not start, but one firing is not resolved by the blame moving); one
    /// `ReceiverSilent` per silent receiver and one `CarrierLoss` per carrier that lost.
    public func findings(slo: SLODefinition, firing: Set<AlertIdentity>, at now: Date) -> [AlertFinding] {
        var found: [AlertFinding] = []
        for page in pages {
            let finding = Self.finding(.acceptedButUndelivered, key: SLOKey(slo: slo.name, route: page.pair.route, carrier: page.pair.carrier),
                                       readings: [page.reading], slo: slo, now: now)
            if page.state == .firing || firing.contains(AlertIdentity(finding)) { found.append(finding) }
        }
        for silent in silentReceivers {
            found.append(Self.finding(.receiverSilent, key: SLOKey(slo: slo.name, route: "", carrier: silent.carrier),
                                      readings: silent.readings, slo: slo, now: now, receiver: silent.receiver))
        }
        for loss in carrierLosses {
            found.append(Self.finding(.carrierLoss, key: SLOKey(slo: slo.name, route: "", carrier: loss.carrier), readings: loss.readings,
                                      slo: slo, now: now))
        }
        return found
    }

    private static func finding(_ name: AlertName, key: SLOKey, readings: [SequentialDetector.Reading], slo: SLODefinition, now: Date,
                                receiver: String = "") -> AlertFinding {
        let strongest = readings.compactMap { reading in reading.strongest.map { (reading, $0) } }
            .max { $0.1.value / $0.1.threshold < $1.1.value / $1.1.threshold }
        let since = readings.compactMap(\.evidenceSince).min()
        let window = since.map { max(60, now.timeIntervalSince($0)) } ?? 3_600
        let evidence = strongest.map { reading, statistic in
            DetectionEvidence(jump: statistic.jump, statistic: statistic.value, threshold: statistic.threshold,
                              healthyRate: reading.healthyRate, since: since)
        }
        return AlertFinding(name: name, key: key, severity: "page",
                            tier: AlertTier(severity: "page", long: window, short: 0, factor: 0),
                            badEvents: readings.map(\.badEvents).reduce(0, +), totalEvents: readings.map(\.totalEvents).reduce(0, +),
                            lowerBound: 0, allowedRate: slo.allowedRate, receiver: receiver, detection: evidence)
    }
}

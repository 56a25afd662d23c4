import Foundation

/// The rules that turn reports into verdicts and facts, one canary at a time.
extension Canary {
    /// Records the API's answer. Returns false when an answer was already recorded.
    mutating func recordSubmitAnswer(_ answer: SubmitAnswer, at time: Date) -> Bool {
        guard submit == nil || submit?.outcome == .unknown && answer.outcome != .unknown else { return false }
        submit = answer
        submitEndedAt = time
        if arrival != nil {
            switch answer.outcome {
            case .error: facts.insert(.apiErrorButArrived)
            case .rejected: facts.insert(.apiRejectedButArrived)
            case .accepted, .unknown: break
            }
        }
        return true
    }

    /// Records a matched receipt. Returns false when the same report was already seen.
    ///
    /// A receipt of lower rank than the current status (a `pending` after a
    /// `delivered`) is accepted as seen but changes nothing; of two different final
    /// statuses the first is kept and the conflict recorded.
    mutating func recordReceipt(_ report: ReceiptReport) -> Bool {
        receiptCount += 1
        let key = "\(report.status.rawValue)|\(report.rawStatus)|\(report.errorCode ?? "")"
        if seenReceipts.contains(key) {
            duplicateCount += 1
            facts.insert(.duplicateReceipt)
            return false
        }
        if seenReceipts.count < Self.maximumRememberedReceipts { seenReceipts.insert(key) }
        if let current = receiptStatus {
            if report.status.rank < current.rank { return true }
            if report.status.rank == current.rank && current.isFinal {
                if current != report.status { facts.insert(.conflictingReceipts) }
                return true
            }
        }
        receiptStatus = report.status
        receiptRawStatus = report.rawStatus
        if arrival != nil && report.status.isFailure {
            facts.insert(.receiptFailedButArrived)
        }
        if verdict == .lost { refreshLossClaim() }
        return true
    }

    static let maximumRememberedReceipts = 16

    /// Records an arrival and decides the verdict from it when it came in time.
    /// Returns false for a repeated arrival (a second delivery or a re-posted report).
    mutating func recordArrival(_ report: ArrivalReport, configuration: CorrelatorConfiguration) -> Bool {
        if arrival != nil {
            duplicateCount += 1
            facts.insert(.duplicateArrival)
            return false
        }
        let latency = measureLatency(of: report, configuration: configuration)
        arrival = ArrivalRecord(ingestedAt: report.ingestedAt, reportedAt: report.reportedAt,
                                latency: latency, from: report.from, body: report.body)
        if !Self.bodiesMatch(sent: plan.body, received: report.body) { facts.insert(.alteredBody) }
        if !Self.sendersMatch(configured: plan.from, received: report.from) { facts.insert(.alteredSender) }
        if verdict != nil {
            facts.insert(.arrivedAfterSettlement)
            return true
        }
        if let status = receiptStatus, status.isFailure { facts.insert(.receiptFailedButArrived) }
        switch submit?.outcome {
        case .error: facts.insert(.apiErrorButArrived)
        case .rejected: facts.insert(.apiRejectedButArrived)
        default: break
        }
        verdict = latency <= plan.threshold ? .delivered : .late
        settledAt = report.ingestedAt
        return true
    }

    /// Settles a canary that did not arrive by its deadline.
    mutating func settleWithoutArrival(at time: Date) {
        guard verdict == nil else { return }
        switch submit?.outcome {
        case .accepted?, .unknown?, nil: verdict = .lost
        case .rejected?: verdict = .rejected
        case .error?: verdict = .sendError
        }
        settledAt = time
        if verdict == .lost { refreshLossClaim() }
    }

    /// What the receipts claimed about a lost canary: a lie, an honest failure, or silence.
    private mutating func refreshLossClaim() {
        facts.subtract([.falseReceipt, .honestFailure, .silence])
        switch receiptStatus {
        case .delivered?: facts.insert(.falseReceipt)
        case let status? where status.isFailure: facts.insert(.honestFailure)
        default: facts.insert(.silence)
        }
    }

    /// Latency by the receiver's chosen clock, falling back to ingest time (and
    /// flagging it) when the receiver's clock is before the send or after the ingest.
    private mutating func measureLatency(of report: ArrivalReport, configuration: CorrelatorConfiguration) -> TimeInterval {
        let ingestLatency = report.ingestedAt.timeIntervalSince(submitStartedAt)
        guard let reportedAt = report.reportedAt else { return ingestLatency }
        let receiverLatency = reportedAt.timeIntervalSince(submitStartedAt)
        if receiverLatency < 0 {
            facts.insert(.negativeLatency)
            return ingestLatency
        }
        if receiverLatency > ingestLatency + configuration.receiverClockTolerance {
            facts.insert(.absurdLatency)
            return ingestLatency
        }
        return plan.latencyClock == .receiver ? receiverLatency : ingestLatency
    }

    /// Compares bodies ignoring surrounding whitespace and CR/LF against LF.
    static func bodiesMatch(sent: String, received: String) -> Bool {
        if sent == received { return true }
        if let sent = asciiNormalised(sent), let received = asciiNormalised(received) { return sent == received }
        func normalised(_ text: String) -> ArraySlice<Unicode.Scalar> {
            let scalars = Array(text.unicodeScalars.lazy.filter { $0 != "\r" })
            let start = scalars.firstIndex { !$0.properties.isWhitespace } ?? scalars.endIndex
            let end = scalars.lastIndex { !$0.properties.isWhitespace }.map { $0 + 1 } ?? start
            return scalars[start..<max(start, end)]
        }
        return normalised(sent).elementsEqual(normalised(received))
    }

    /// An all-ASCII body's bytes without CR and without surrounding whitespace (what `bodiesMatch`
    /// compares, without looking up Unicode properties); nil when a byte is not ASCII.
    private static func asciiNormalised(_ text: String) -> ArraySlice<UInt8>? {
        var text = text
        return text.withUTF8 { bytes -> ArraySlice<UInt8>? in
            var kept: [UInt8] = []
            kept.reserveCapacity(bytes.count)
            for byte in bytes {
                guard byte < 0x80 else { return nil }
                if byte != 0x0D { kept.append(byte) }
            }
            func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
            let start = kept.firstIndex { !isSpace($0) } ?? kept.endIndex
            let end = kept.lastIndex { !isSpace($0) }.map { $0 + 1 } ?? start
            return kept[start..<max(start, end)]
        }
    }

    /// Compares sender ids ignoring formatting: `+44 7700-900123` equals `447700900123`,
    /// `00447700900123` too, and alphanumeric ids compare case-insensitively.
    static func sendersMatch(configured: String, received: String) -> Bool {
        if configured == received { return true }
        func normalised(_ text: String) -> String {
            var kept = String(text.unicodeScalars.filter { !" -().\t".unicodeScalars.contains($0) }).uppercased()
            if kept.hasPrefix("+") { kept.removeFirst() } else if kept.hasPrefix("00") { kept.removeFirst(2) }
            return kept
        }
        return normalised(configured) == normalised(received)
    }
}

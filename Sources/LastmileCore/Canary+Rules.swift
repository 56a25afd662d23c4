import Foundation

/// The rules that turn reports into verdicts and facts, one canary at a time.
extension Canary {
    /// Whether `recordSubmitAnswer` would take `answer`: none is recorded yet, or only an unknown one.
    func acceptsSubmitAnswer(_ answer: SubmitAnswer) -> Bool {
        submit == nil || submit?.outcome == .unknown && answer.outcome != .unknown
    }

    /// Records the API's answer. Returns false when an answer was already recorded.
    mutating func recordSubmitAnswer(_ answer: SubmitAnswer, at time: Date) -> Bool {
        guard acceptsSubmitAnswer(answer) else { return false }
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
        if let same = asciiBodiesMatch(sent, received) { return same }
        func normalised(_ text: String) -> ArraySlice<Unicode.Scalar> {
            let scalars = Array(text.unicodeScalars.lazy.filter { $0 != "\r" })
            let start = scalars.firstIndex { !$0.properties.isWhitespace } ?? scalars.endIndex
            let end = scalars.lastIndex { !$0.properties.isWhitespace }.map { $0 + 1 } ?? start
            return scalars[start..<max(start, end)]
        }
        return normalised(sent).elementsEqual(normalised(received))
    }

    /// Whether two all-ASCII bodies are equal once CRs and surrounding whitespace are left out
    /// (what `bodiesMatch` compares), read in place; nil when a byte of either is not ASCII.
    private static func asciiBodiesMatch(_ sent: String, _ received: String) -> Bool? {
        var sent = sent, received = received
        return sent.withUTF8 { left -> Bool? in
            received.withUTF8 { right -> Bool? in
                guard let left = trimmedASCII(left), let right = trimmedASCII(right) else { return nil }
                var i = left.startIndex, j = right.startIndex
                while true {
                    while i < left.endIndex, left.base[i] == 0x0D { i += 1 }
                    while j < right.endIndex, right.base[j] == 0x0D { j += 1 }
                    guard i < left.endIndex, j < right.endIndex else { return i == left.endIndex && j == right.endIndex }
                    guard left.base[i] == right.base[j] else { return false }
                    i += 1
                    j += 1
                }
            }
        }
    }

    /// The bytes without surrounding whitespace, or nil when one is not ASCII.
    private static func trimmedASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Slice<UnsafeBufferPointer<UInt8>>? {
        guard isASCII(bytes) else { return nil }
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
        let start = bytes.firstIndex { !isSpace($0) } ?? bytes.endIndex
        let end = bytes.lastIndex { !isSpace($0) }.map { $0 + 1 } ?? start
        return bytes[start..<max(start, end)]
    }

    /// Whether every byte is below 0x80, read eight at a time.
    private static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let raw = UnsafeRawBufferPointer(bytes)
        var offset = 0
        while offset + 8 <= raw.count {
            if raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            offset += 8
        }
        while offset < raw.count {
            if raw[offset] >= 0x80 { return false }
            offset += 1
        }
        return true
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

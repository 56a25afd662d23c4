import Foundation

extension Correlator {
    /// Joins a receipt to its canary by provider message id, or by token where the
    /// provider echoes a reference field. A receipt whose message id is not known
    /// yet is reported unmatched and held a while: the API's answer may still be
    /// on its way, and when it comes the receipt is claimed (`claimedReceipts`).
    public mutating func ingest(_ receipt: ReceiptReport) -> CorrelationResult {
        var result = CorrelationResult()
        var slot: Int32?
        if let messageID = receipt.providerMessageID, !messageID.isEmpty {
            slot = self.slot(forMessageID: messageID, route: receipt.route)
        }
        if slot == nil, let token = receipt.token { slot = self.slot(for: token) }
        guard let slot, var canary = held(slot) else {
            if let messageID = receipt.providerMessageID, !messageID.isEmpty {
                holdOrphan(receipt, messageID: messageID)
            }
            result.match = .unmatched(.unknownMessageID, canaryID: nil)
            return result
        }
        let isNew = canary.recordReceipt(receipt)
        update(canary, in: slot, into: &result)
        result.match = isNew ? .matched(canaryID: canary.id) : .duplicate(canaryID: canary.id)
        return result
    }

    /// Joins an arrival to its canary by the token found in its body. The first
    /// arrival in time decides the verdict; an arrival after the deadline leaves
    /// the verdict as the deadline decided it and is kept as unmatched.
    public mutating func ingest(_ arrival: ArrivalReport) -> CorrelationResult {
        var result = CorrelationResult()
        let candidates = TokenScanner.candidates(in: arrival.body)
        guard !candidates.isEmpty else {
            result.match = .unmatched(.noToken, canaryID: nil)
            return result
        }
        var found: Int32?
        for candidate in candidates where found == nil { found = slot(for: candidate) }
        guard let slot = found, var canary = held(slot) else {
            result.match = .unmatched(.unknownToken, canaryID: nil)
            return result
        }
        if canary.verdict == nil && arrival.ingestedAt >= canary.deadlineAt {
            canary.settleWithoutArrival(at: canary.deadlineAt)
            update(canary, in: slot, into: &result)
        }
        let wasSettled = canary.verdict != nil
        let isNew = canary.recordArrival(arrival, configuration: configuration)
        if !isNew {
            update(canary, in: slot, into: &result)
            result.match = .duplicate(canaryID: canary.id)
        } else if wasSettled {
            update(canary, in: slot, into: &result)
            result.match = .unmatched(.afterSettlement, canaryID: canary.id)
        } else {
            update(canary, in: slot, into: &result)
            result.match = .matched(canaryID: canary.id)
        }
        return result
    }
}

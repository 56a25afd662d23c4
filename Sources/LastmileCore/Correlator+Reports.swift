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
        // A token names a canary of any route; a receipt speaks only for its own route's, or one
        // route's hook could change another's canaries (tokens are in every message sent).
        if slot == nil, let token = receipt.token { slot = self.slot(for: token, route: receipt.route) }
        guard let slot, let (isNew, id) = modify(slot, into: &result, { ($0.recordReceipt(receipt), $0.id) }) else {
            if let messageID = receipt.providerMessageID, !messageID.isEmpty {
                holdOrphan(receipt, messageID: messageID)
            }
            result.match = .unmatched(.unknownMessageID, canaryID: nil)
            return result
        }
        result.match = isNew ? .matched(canaryID: id) : .duplicate(canaryID: id)
        return result
    }

    /// Joins an arrival to its canary by the token found in its body. The first
    /// arrival in time decides the verdict; an arrival after the deadline leaves
    /// the verdict as the deadline decided it and is kept as unmatched.
    public mutating func ingest(_ arrival: ArrivalReport) -> CorrelationResult {
        var result = CorrelationResult()
        let (found, sawCandidate) = TokenScanner.firstCandidate(in: arrival.body) { slot(for: $0) }
        guard sawCandidate else {
            result.match = .unmatched(.noToken, canaryID: nil)
            return result
        }
        let configuration = configuration
        // An arrival after the deadline finds the canary settled by it, even before `advance` ran.
        if let slot = found, isOverdue(slot, at: arrival.ingestedAt) {
            modify(slot, into: &result) { $0.settleWithoutArrival(at: $0.deadlineAt) }
        }
        guard let slot = found, let (wasSettled, isNew, id) = modify(slot, into: &result, { canary in
            let wasSettled = canary.verdict != nil
            return (wasSettled, canary.recordArrival(arrival, configuration: configuration), canary.id)
        }) else {
            result.match = .unmatched(.unknownToken, canaryID: nil)
            return result
        }
        if !isNew {
            result.match = .duplicate(canaryID: id)
        } else if wasSettled {
            result.match = .unmatched(.afterSettlement, canaryID: id)
        } else {
            result.match = .matched(canaryID: id)
        }
        return result
    }
}

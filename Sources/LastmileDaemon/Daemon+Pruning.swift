import Foundation
import LastmileCore
import LastmileStore

extension Daemon {
    /// Removes what is past its retention: old canaries and reports, unmatched reports and
    /// incomplete message parts past theirs, unreferenced request bodies, old spool `done/` and `failed/` files.
    func pruneOnce() async {
        let store = context.configuration.store
        let now = options.clock.now
        let cutoff = now.addingTimeInterval(-store.retention)
        do {
            let summary = try await self.store.prune(before: cutoff, unmatchedBefore: now.addingTimeInterval(-store.unmatchedRetention))
            logger.info("pruned old rows", [("canaries", String(summary.canaries)), ("receipts", String(summary.receipts)),
                                            ("arrivals", String(summary.arrivals)), ("unmatched", String(summary.unmatched)),
                                            ("parts", String(summary.parts)), ("payloads", String(summary.payloads))])
        } catch {
            logger.error("pruning failed; will retry", [("error", "\(error)")])
        }
        for receiver in context.configuration.receivers where receiver.sourceTraits.isSpool {
            guard let spool = receiver.spool else { continue }
            let folder = SpoolFolder(URL(fileURLWithPath: spool))
            // Refused files are kept as long as unmatched reports: long enough to look into, not forever.
            let refusedCutoff = now.addingTimeInterval(-store.unmatchedRetention)
            let (removed, refused) = await SpoolFolder.disk.run {
                (folder.pruneDone(before: cutoff), folder.pruneFailed(before: refusedCutoff))
            }
            if removed > 0 { logger.info("pruned spool files", [("receiver", receiver.name), ("files", String(removed))]) }
            if refused > 0 { logger.info("pruned refused spool files", [("receiver", receiver.name), ("files", String(refused))]) }
        }
    }
}

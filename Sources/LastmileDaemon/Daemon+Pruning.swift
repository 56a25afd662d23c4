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
        } catch is CancellationError {
            return
        } catch {
            logger.error("pruning failed; will retry", [("error", "\(error)")])
        }
        // Refused files are kept as long as unmatched reports: long enough to look into, not forever.
        let refusedCutoff = now.addingTimeInterval(-store.unmatchedRetention)
        let folders = context.configuration.receivers.filter(\.sourceTraits.isSpool).compactMap { receiver in
            receiver.spool.map { (receiver.name, SpoolFolder(URL(fileURLWithPath: $0))) }
        }
        // Queued, not awaited: a folder on a mount gone quiet holds up the spool pruning, never
        // the store's. Skipped while the last round is still under way.
        guard !folders.isEmpty, SpoolFolder.pruningUnderWay.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            return
        }
        let logger = self.logger
        Task {
            defer { SpoolFolder.pruningUnderWay.store(false, ordering: .releasing) }
            for (name, folder) in folders {
                let (removed, refused) = await SpoolFolder.pruning.run {
                    (folder.pruneDone(before: cutoff), folder.pruneFailed(before: refusedCutoff))
                }
                if removed > 0 { logger.info("pruned spool files", [("receiver", name), ("files", String(removed))]) }
                if refused > 0 { logger.info("pruned refused spool files", [("receiver", name), ("files", String(refused))]) }
            }
        }
    }
}

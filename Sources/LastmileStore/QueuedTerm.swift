/// The fence a write was queued under, checked again when the write runs: what the write
/// carries was computed in that term, so it must not land in another.
struct QueuedTerm: Sendable {
    let queued: LeaseFence?
    let slot: FenceSlot

    func check() throws {
        let current = slot.current
        guard let queued, let current, queued.holder == current.holder, queued.term == current.term else {
            throw NotLeading(holder: queued?.holder ?? "this instance", term: queued?.term)
        }
    }
}

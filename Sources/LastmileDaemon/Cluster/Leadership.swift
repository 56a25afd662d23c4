import Foundation
import LastmileStore
import Synchronization

/// Whether this instance may act as the leader (send, settle, evaluate, notify, prune, join the
/// inbox) now. Alone on a SQLite file it always may; on a shared store only while it holds the
/// lease in the term it took over in, and only once the takeover has loaded the store's state.
public final class Leadership: Sendable {
    /// This instance's name in the lease (host, process and a random part).
    public let holder: String
    let elector: LeaderElector?
    /// The term this instance acts in; 0 when it does not act.
    private let actingTerm = Atomic<Int64>(0)
    /// Set when the leader's state in memory may differ from the store's (a write failed).
    private let resync = Atomic<Bool>(false)

    /// An instance with no one to share its store with: it always leads.
    public static func alone() -> Leadership { Leadership(holder: Leadership.instanceName(), elector: nil) }

    init(holder: String, elector: LeaderElector?) {
        self.holder = holder
        self.elector = elector
    }

    /// Whether leadership is contested at all (a shared store).
    public var isShared: Bool { elector != nil }

    /// Whether this instance may act as the leader at this moment.
    public var isActing: Bool {
        guard let elector else { return true }
        let acting = actingTerm.load(ordering: .acquiring)
        return acting != 0 && elector.term == acting
    }

    /// The term the lease is held in now, whether or not the takeover is done; nil when not held.
    var heldTerm: Int64? { elector?.term }

    /// The term this instance acts in; nil when it does not.
    var currentActingTerm: Int64? {
        let acting = actingTerm.load(ordering: .acquiring)
        return acting == 0 ? nil : acting
    }

    func beginActing(term: Int64) { actingTerm.store(term, ordering: .releasing) }

    /// Asks for a fresh takeover: the leader stops acting and takes the store's state back, as
    /// after a failed write whose correlation the engine already made.
    func requestResync() { resync.store(true, ordering: .releasing) }

    /// Whether a resync was asked for since the last call.
    func takeResyncRequest() -> Bool { resync.exchange(false, ordering: .acquiringAndReleasing) }

    func stopActing() { actingTerm.store(0, ordering: .releasing) }

    /// A name no other instance has: the host, the process id and a random suffix.
    static func instanceName() -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host"
        return "\(host)-\(getpid())-\(UInt32.random(in: 0...UInt32.max) & 0xFFFF)"
    }
}

import Foundation
import LastmileBase
import LastmileConfig
import LastmileCore
import LastmileProviders
import Synchronization

/// Reads the spool folders of GSM modem daemons (smstools3, gammu-smsd). A file moves to
/// `done/` only after its arrival is committed, and to `failed/` (with the reason logged) when
/// it cannot be read or is not an SMS file at all. Each file is stored under its name and its
/// identity (inode, modification time, size), so a crash between the commit and the move never
/// counts it twice, and a new file given an earlier one's name is never taken for it.
struct SpoolWatcher: Sendable {
    /// One line a minute at most about a folder that cannot be read.
    private static let throttle = LogThrottle(limit: 1, per: .seconds(60))

    /// Where the arrivals go: the engine, or the shared inbox.
    let intake: ReportIntake
    let logger: Logger
    let clock: any WallClock

    /// Scans every spool receiver's folder, then again every `interval`, until cancelled. Each
    /// folder's scan runs on its own: one that hangs (a network mount gone quiet) holds up only
    /// its own next scan, never another folder's.
    func run(context: @escaping @Sendable () -> DaemonContext, interval: Duration = .milliseconds(500)) async {
        let state = ScanState()
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                for receiver in context().receivers.values.sorted(by: { $0.configuration.name < $1.configuration.name }) {
                    guard let format = receiver.spoolFormat, let spool = receiver.configuration.spool else { continue }
                    let configuration = receiver.configuration, name = configuration.name
                    guard state.scanning.withLock({ $0.insert(name).inserted }) else { continue }
                    group.addTask {
                        var seen = state.sightings.withLock { $0[name] ?? [:] }
                        await scan(receiver: configuration, format: format, folder: SpoolFolder(URL(fileURLWithPath: spool)), seen: &seen)
                        state.sightings.withLock { $0[name] = seen }
                        state.scanning.withLock { _ = $0.remove(name) }
                    }
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// What the folders' scans share, by receiver: what its folder's files looked like at its
    /// last scan, and whether a scan of it is under way.
    private final class ScanState: Sendable {
        let sightings = Mutex<[String: [String: SpoolFolder.Sighting]]>([:])
        let scanning = Mutex<Set<String>>([])
    }

    /// One pass over a folder; `seen` remembers files still being written, by receiver and name.
    func scan(receiver: ReceiverConfiguration, format: any SpoolFormat, folder: SpoolFolder,
              seen: inout [String: SpoolFolder.Sighting]) async {
        guard let names = await folder.disk.run({ folder.names() }) else {
            logger.warning("spool folder cannot be read", [("receiver", receiver.name), ("folder", folder.url.path)])
            return
        }
        // With nowhere safe to move files, none is read: each would be stored, left in place, and
        // looked up again at every scan.
        for subfolder in ["done", "failed"] {
            let path = folder.url.appendingPathComponent(subfolder).path
            if let problem = await folder.disk.run({ SpoolFolder.notAFolder(path) }) {
                if let held = Self.throttle.admit("spool subfolder \(receiver.name)") {
                    logger.error("spool folder not read: its \(subfolder)/ is not a folder of its own", [("receiver", receiver.name),
                                                                                                     ("problem", problem), ("held_back", String(held))])
                }
                return
            }
        }
        let present = Set(names.map { "\(receiver.name)/\($0)" })
        seen = seen.filter { !$0.key.hasPrefix(receiver.name + "/") || present.contains($0.key) }
        for name in names {
            if Task.isCancelled { return }
            if !format.isMessage(named: name) { continue }
            let key = "\(receiver.name)/\(name)"
            let previous = seen[key]
            let (entry, sighting) = await folder.disk.run { folder.inspect(name, previous: previous, now: Date()) }
            seen[key] = sighting
            switch entry {
            case .notYet:
                continue
            case .refused(_, let reason):
                await refuse(name, in: folder, receiver: receiver, reason: reason)
            case .ready(_, let data):
                // Stamped when first seen, so waiting for the file to settle adds nothing to latency.
                let firstSeen = sighting.map { clock.now.addingTimeInterval($0.firstSeen.timeIntervalSinceNow) } ?? clock.now
                let sourceKey = sighting.map { "\(key)#\($0.identity)" } ?? key
                await process(data: data, name: name, key: sourceKey, legacyKey: key, receiver: receiver, format: format, folder: folder,
                              at: firstSeen)
                seen[key] = nil
            }
        }
    }

    /// `legacyKey` is the name alone, as versions before the file's identity was in its key stored
    /// it: a file such a version stored but had not moved yet (it stopped in between) is not read twice.
    private func process(data: Data, name: String, key: String, legacyKey: String, receiver: ReceiverConfiguration,
                         format: any SpoolFormat, folder: SpoolFolder, at time: Date) async {
        do {
            var stored = try await intake.hasArrival(sourceKey: key)
            if !stored { stored = try await intake.hasArrival(sourceKey: legacyKey) }
            if stored {
                await move(name, in: folder, to: "done")
                return
            }
        } catch {
            logger.error("spool file not processed: the store cannot be read", [("receiver", receiver.name), ("file", name)])
            return
        }
        let parsed: ParsedArrival
        do {
            parsed = try format.arrival(named: name, data: data)
        } catch {
            await refuse(name, in: folder, receiver: receiver, reason: error.description)
            return
        }
        do {
            let matches = try await intake.arrivals([parsed], receiver: receiver.name, rawPayload: data, at: time, sourceKey: key)
            logger.info(matches == nil ? "arrival queued for the leader" : "arrival",
                        [("canary", matches?.first?.canaryID ?? "-"), ("receiver", receiver.name), ("file", name)])
            await move(name, in: folder, to: "done")
        } catch {
            logger.error("spool arrival not stored; will retry", [("receiver", receiver.name), ("file", name), ("error", "\(error)")])
        }
    }

    private func refuse(_ name: String, in folder: SpoolFolder, receiver: ReceiverConfiguration, reason: String) async {
        logger.warning("spool file refused; moved to failed", [("receiver", receiver.name), ("file", name), ("reason", reason)])
        await move(name, in: folder, to: "failed")
    }

    private func move(_ name: String, in folder: SpoolFolder, to subfolder: String) async {
        do {
            try await folder.disk.run { try folder.move(name, to: subfolder) }
        } catch {
            logger.error("spool file cannot be moved", [("file", name), ("to", subfolder), ("error", "\(error)")])
        }
    }
}

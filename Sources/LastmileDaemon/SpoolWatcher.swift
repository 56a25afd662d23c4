import Foundation
import LastmileConfig
import LastmileCore
import LastmileProviders

/// Reads the spool folders of GSM modem daemons (smstools3, gammu-smsd). A file moves to
/// `done/` only after its arrival is committed, and to `failed/` (with the reason logged) when
/// it cannot be read. Each file is stored under its name, so a crash between the commit and the
/// move never counts it twice.
struct SpoolWatcher: Sendable {
    let engine: CanaryEngine
    let logger: Logger
    let clock: any WallClock

    /// Scans every spool receiver's folder, then again every `interval`, until cancelled.
    func run(context: @escaping @Sendable () -> DaemonContext, interval: Duration = .milliseconds(500)) async {
        while !Task.isCancelled {
            for receiver in context().configuration.receivers where receiver.source.isSpool {
                guard let spool = receiver.spool else { continue }
                await scan(receiver: receiver, folder: URL(fileURLWithPath: spool))
            }
            try? await Task.sleep(for: interval)
        }
    }

    func scan(receiver: ReceiverConfiguration, folder: URL) async {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: folder.path) else {
            logger.warning("spool folder cannot be read", [("receiver", receiver.name), ("folder", folder.path)])
            return
        }
        for name in names.sorted() where !name.hasPrefix(".") {
            if Task.isCancelled { return }
            let file = folder.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: file.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            if receiver.source == .gammu && !name.hasPrefix("IN") { continue }
            await process(file: file, name: name, receiver: receiver, folder: folder)
        }
    }

    private func process(file: URL, name: String, receiver: ReceiverConfiguration, folder: URL) async {
        let key = "\(receiver.name)/\(name)"
        do {
            if try await engine.hasArrival(sourceKey: key) {
                move(file, to: folder.appendingPathComponent("done"), name: name)
                return
            }
        } catch {
            logger.error("spool file not processed: the store cannot be read", [("receiver", receiver.name), ("file", name)])
            return
        }
        guard let data = FileManager.default.contents(atPath: file.path) else { return }
        let parsed: ParsedArrival
        do {
            parsed = receiver.source == .gammu ? try SpoolFiles.gammu(name: name, data: data) : try SpoolFiles.smstools(data)
        } catch {
            logger.warning("spool file cannot be read; moved to failed", [("receiver", receiver.name), ("file", name),
                                                                         ("reason", error.description)])
            move(file, to: folder.appendingPathComponent("failed"), name: name)
            return
        }
        do {
            let matches = try await engine.ingest(arrivals: [parsed], receiver: receiver.name, rawPayload: data, at: clock.now,
                                                  sourceKey: key)
            logger.info("arrival", [("canary", matches.first?.canaryID ?? "-"), ("receiver", receiver.name), ("file", name)])
            move(file, to: folder.appendingPathComponent("done"), name: name)
        } catch {
            logger.error("spool arrival not stored; will retry", [("receiver", receiver.name), ("file", name), ("error", "\(error)")])
        }
    }

    private func move(_ file: URL, to folder: URL, name: String) {
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let target = folder.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: target)
        do {
            try FileManager.default.moveItem(at: file, to: target)
        } catch {
            logger.error("spool file cannot be moved", [("file", file.path), ("to", folder.path), ("error", "\(error)")])
        }
    }
}

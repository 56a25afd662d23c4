import Foundation
import LastmileBase
import Synchronization
import Glibc

/// One modem daemon's spool folder, read as untrusted input: only regular files (no symbolic
/// links, FIFOs or devices), at most `maximumFileBytes` each, and only once a file has stopped
/// changing (or, for smstools, once its `.LOCK` file is gone).
struct SpoolFolder: Sendable {
    let url: URL
    /// An SMS file is a few hundred bytes; a long message with headers a few kilobytes.
    static let maximumFileBytes = 64 * 1024

    /// Where the calls that read and move this folder's files run: the file system can block (a
    /// hung network mount, a slow disk), and the concurrency pool must not wait on it, nor any
    /// other folder's scan. One queue per folder, for as long as the process runs.
    var disk: BlockingQueue {
        Self.queues.withLock { queues in
            if let queue = queues[url.path] { return queue }
            let queue = BlockingQueue(label: "lastmile-spool \(url.path)")
            queues[url.path] = queue
            return queue
        }
    }

    private static let queues = Mutex<[String: BlockingQueue]>([:])

    /// Where pruning `done/` and `failed/` runs: apart from the scans, which it would otherwise
    /// hold up (a large `done/` takes a while), and from the store's pruning.
    static let pruning = BlockingQueue(label: "lastmile-spool-pruning")

    /// Whether a round of pruning spool folders is queued or running.
    static let pruningUnderWay = Atomic<Bool>(false)

    init(_ url: URL) {
        self.url = url
    }

    /// What a file in the folder is, as far as reading it goes.
    enum Entry: Equatable {
        /// Ready to ingest: its content (when it was first seen is in its `Sighting`).
        case ready(name: String, data: Data)
        /// Refused for good: to move to `failed/` with this reason.
        case refused(name: String, reason: String)
        /// Still being written; look again later.
        case notYet(name: String)
    }

    /// What the file looked like when last seen, so a file that has stopped changing is known.
    struct Sighting: Equatable, Sendable {
        var size: Int
        var modified: timespec
        var inode: UInt64
        var firstSeen: Date

        static func == (lhs: Sighting, rhs: Sighting) -> Bool {
            lhs.size == rhs.size && lhs.inode == rhs.inode && lhs.modified.tv_sec == rhs.modified.tv_sec
                && lhs.modified.tv_nsec == rhs.modified.tv_nsec
        }

        /// Tells this file from another given the same name later: gammu names a file by the
        /// SMSC's time to the second and the sender, so two messages can share a name once the
        /// first has moved to `done/`. The same file read again after a crash keeps it.
        var identity: String { "\(inode)-\(modified.tv_sec).\(modified.tv_nsec)-\(size)" }
    }

    /// Names in the folder worth looking at, sorted: no hidden files, no lock files, no folders.
    func names() -> [String]? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: url.path) else { return nil }
        return names.sorted().filter { !$0.hasPrefix(".") && !$0.hasSuffix(".LOCK") && $0 != "done" && $0 != "failed" }
    }

    /// Looks at `name`: `previous` is how it was at the last scan. A file untouched for `settle`
    /// seconds, or unchanged since the last scan, is ready; an empty one only once it has stayed
    /// empty for `emptyPatience` (a writer may have created it and not written yet), and then it is refused.
    func inspect(_ name: String, previous: Sighting?, now: Date, settle: TimeInterval = 1,
                 emptyPatience: TimeInterval = 60) -> (Entry, Sighting?) {
        let path = url.appendingPathComponent(name).path
        var info = stat()
        guard lstat(path, &info) == 0 else { return (.notYet(name: name), nil) }
        let type = info.st_mode & S_IFMT
        if type == S_IFDIR { return (.notYet(name: name), nil) }
        if type == S_IFLNK { return (.refused(name: name, reason: "a symbolic link, not a file"), nil) }
        guard type == S_IFREG else { return (.refused(name: name, reason: "not a regular file (a FIFO, socket or device)"), nil) }
        if FileManager.default.fileExists(atPath: path + ".LOCK") { return (.notYet(name: name), previous) }
        let size = Int(info.st_size)
        guard size <= Self.maximumFileBytes else {
            return (.refused(name: name, reason: "\(size) bytes, more than the \(Self.maximumFileBytes) an SMS file may hold"), nil)
        }
        let sighting = Sighting(size: size, modified: info.st_mtim, inode: UInt64(info.st_ino), firstSeen: previous?.firstSeen ?? now)
        let modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        if size == 0 {
            guard now.timeIntervalSince(sighting.firstSeen) >= emptyPatience else { return (.notYet(name: name), sighting) }
            return (.refused(name: name, reason: "empty for \(Int(emptyPatience)) s"), nil)
        }
        let untouched = now.timeIntervalSince1970 - modified >= settle
        guard untouched || previous == sighting else { return (.notYet(name: name), sighting) }
        switch read(path, expectedSize: size) {
        case .success(let data): return (.ready(name: name, data: data), sighting)
        case .failure(let problem) where problem.passing: return (.notYet(name: name), sighting)
        case .failure(let problem): return (.refused(name: name, reason: problem.description), nil)
        }
    }

    private struct ReadProblem: Error, CustomStringConvertible {
        var description: String
        /// The process, not the file, is short of something (descriptors, memory): read it again later.
        var passing = false
    }

    /// Whether `code` from opening or reading a file says the process is short of something for
    /// now rather than that the file is bad: such a file is read again at the next scan, never
    /// moved to `failed/` (a flood of connections can use up the descriptors for a moment).
    static func isPassing(_ code: Int32) -> Bool {
        [EMFILE, ENFILE, ENOMEM, ENOBUFS, EAGAIN, EINTR].contains(code)
    }

    /// Reads a regular file without following links or blocking on a FIFO swapped in after `lstat`.
    private func read(_ path: String, expectedSize: Int) -> Result<Data, ReadProblem> {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            return .failure(ReadProblem(description: "cannot be opened: \(String(cString: strerror(code)))", passing: Self.isPassing(code)))
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            return .failure(ReadProblem(description: "not a regular file when opened"))
        }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else {
                let code = errno
                return .failure(ReadProblem(description: "cannot be read: \(String(cString: strerror(code)))", passing: Self.isPassing(code)))
            }
            if count == 0 { break }
            data.append(contentsOf: buffer[0..<count])
            guard data.count <= Self.maximumFileBytes else {
                return .failure(ReadProblem(description: "grew past the \(Self.maximumFileBytes) bytes an SMS file may hold"))
            }
        }
        return .success(data)
    }

    /// Moves `name` into the subfolder `folder` (`done`, `failed`), replacing what has that name.
    /// A subfolder that is a symbolic link is refused: whoever can write the spool folder could
    /// otherwise send files, and `pruneDone`'s deletions, anywhere the daemon can write. The move
    /// goes through folders held open, so a link swapped in after the check changes nothing.
    func move(_ name: String, to folder: String) throws {
        do throws(DirectoryHandle.Problem) {
            let spool = try DirectoryHandle(path: url.path)
            let target = try DirectoryHandle(folder, in: spool, creating: true)
            guard renameat(spool.descriptor, name, target.descriptor, name) == 0 else {
                throw DirectoryHandle.Problem(description: String(cString: strerror(errno)))
            }
        } catch {
            throw ReadProblem(description: error.description)
        }
    }

    /// Deletes files moved to `done/` before `cutoff`; returns how many.
    func pruneDone(before cutoff: Date) -> Int {
        prune("done", before: cutoff)
    }

    /// Deletes files moved to `failed/` before `cutoff`, so refused junk cannot fill the disk
    /// either; returns how many.
    func pruneFailed(before cutoff: Date) -> Int {
        prune("failed", before: cutoff)
    }

    private func prune(_ subfolder: String, before cutoff: Date) -> Int {
        guard let spool = try? DirectoryHandle(path: url.path),
              let folder = try? DirectoryHandle(subfolder, in: spool, creating: false),
              let names = folder.names() else { return 0 }
        var removed = 0
        for name in names {
            var info = stat()
            guard fstatat(folder.descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0, info.st_mode & S_IFMT != S_IFDIR,
                  // When it was moved here (a rename changes the inode's ctime), not when it was written.
                  Double(info.st_ctim.tv_sec) < cutoff.timeIntervalSince1970, unlinkat(folder.descriptor, name, 0) == 0 else { continue }
            removed += 1
        }
        return removed
    }

    /// Why `path` cannot be used as a subfolder: it exists and is not a real folder (a symbolic
    /// link among them); nil when it is one, or does not exist yet.
    static func notAFolder(_ path: String) -> String? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return info.st_mode & S_IFMT == S_IFDIR ? nil : "\(path) is not a folder (a symbolic link or a file)"
    }
}

import Foundation

/// A file of `/proc`, which reports no size: `String(contentsOfFile:)` reads one page of it and
/// stops (`/proc/stat` passes a page on a machine with many cores, before its `btime` line).
public enum ProcFile {
    /// The whole text of `path`, or nil if it cannot be read.
    public static func text(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.readToEnd() else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}

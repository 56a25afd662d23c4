import Foundation

/// Reads a file the configuration names, never more than a bound: a config or secret file that
/// is huge, or endless (`/dev/zero`, a FIFO), is an error instead of memory without end.
enum BoundedFile {
    /// The most a config file (main or included) may hold.
    static let configurationLimit = 4 << 20
    /// The most a secret file may hold.
    static let secretLimit = 64 << 10

    enum Failure: Error {
        case unreadable
        case tooLarge(limit: Int)
    }

    /// The bytes of `path`, if it can be read and holds at most `limit` of them.
    static func read(_ path: String, limit: Int) -> Result<[UInt8], Failure> {
        guard let handle = FileHandle(forReadingAtPath: path) else { return .failure(.unreadable) }
        defer { try? handle.close() }
        var bytes: [UInt8] = []
        do {
            while bytes.count <= limit, let chunk = try handle.read(upToCount: min(64 << 10, limit + 1 - bytes.count)), !chunk.isEmpty {
                bytes.append(contentsOf: chunk)
            }
        } catch {
            return .failure(.unreadable)
        }
        return bytes.count > limit ? .failure(.tooLarge(limit: limit)) : .success(bytes)
    }
}

extension BoundedFile.Failure {
    /// What a diagnostic says after the file's name.
    var phrase: String {
        switch self {
        case .unreadable: return "does not exist or cannot be read"
        case .tooLarge(let limit): return "holds more than \(limit / 1024) KiB"
        }
    }

    /// The diagnostic about `file` (`config file`, `included file`), which names it by its place.
    func message(about file: String) -> String {
        switch self {
        case .unreadable: return "cannot read the \(file)"
        case .tooLarge: return "the \(file) \(phrase)"
        }
    }
}

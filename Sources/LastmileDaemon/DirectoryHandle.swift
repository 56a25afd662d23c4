import Glibc

/// An open folder, used by its descriptor rather than its path: once open, swapping its path for
/// a symbolic link cannot send what is moved into it, or deleted from it, anywhere else.
struct DirectoryHandle: ~Copyable {
    let descriptor: Int32

    /// Why a folder could not be opened.
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    /// Opens the folder at `path` (a symbolic link to it is followed: the operator named it).
    init(path: String) throws(Problem) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Problem(description: "\(path): \(String(cString: strerror(errno)))") }
        self.descriptor = descriptor
    }

    /// Opens `name` inside `parent` as a real folder, never through a symbolic link; with
    /// `creating`, makes it first when it does not exist.
    init(_ name: String, in parent: borrowing DirectoryHandle, creating: Bool) throws(Problem) {
        var descriptor = openat(parent.descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if descriptor < 0, errno == ENOENT, creating {
            guard mkdirat(parent.descriptor, name, 0o755) == 0 || errno == EEXIST else {
                throw Problem(description: "\(name)/ cannot be made: \(String(cString: strerror(errno)))")
            }
            descriptor = openat(parent.descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        }
        guard descriptor >= 0 else {
            let code = errno
            if code == ELOOP || code == ENOTDIR { throw Problem(description: "\(name)/ is not a folder (a symbolic link or a file)") }
            throw Problem(description: "\(name)/ cannot be opened: \(String(cString: strerror(code)))")
        }
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// The names in the folder, without `.` and `..`; nil when it cannot be listed.
    func names() -> [String]? {
        let copy = dup(descriptor)
        guard copy >= 0 else { return nil }
        guard let stream = fdopendir(copy) else {
            close(copy)
            return nil
        }
        defer { closedir(stream) }
        // The copy shares the descriptor's position, which an earlier listing left at the end.
        rewinddir(stream)
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}

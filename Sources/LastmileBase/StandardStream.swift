import Glibc

/// Writes to standard output or standard error with `write(2)`, unbuffered: a line is written
/// whole before the call returns, and a stream that cannot be written (its reader gone, a
/// full disk) loses the line instead of ending the process, as `FileHandle.write` would.
public struct StandardStream: Sendable {
    public static let output = StandardStream(descriptor: STDOUT_FILENO)
    public static let error = StandardStream(descriptor: STDERR_FILENO)

    /// The descriptor written to.
    public let descriptor: Int32

    public init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Writes `text`, retrying what a signal interrupted; returns whether all of it was written.
    @discardableResult
    public func write(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return false }
                offset += written
            }
            return true
        }
    }
}

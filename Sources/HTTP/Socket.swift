import Glibc
import LastmileBase

/// Thin wrappers over the POSIX socket calls the server uses.
enum Socket {
    struct Failure: Error, CustomStringConvertible {
        var call: String
        var code: Int32
        var description: String { "\(call): \(String(cString: strerror(code)))" }
    }

    /// Opens a listening TCP socket on `host:port` (IPv4 or IPv6 literal).
    static func listen(host: String, port: UInt16, backlog: Int32 = 511) throws -> (descriptor: Int32, port: UInt16) {
        let isIPv6 = host.contains(":")
        let descriptor = socket(isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(call: "socket", code: errno) }
        var yes: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var result: Int32
        if isIPv6 {
            setsockopt(descriptor, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &yes, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            guard inet_pton(AF_INET6, host, &address.sin6_addr) == 1 else {
                close(descriptor)
                throw Failure(call: "inet_pton(\(host))", code: EINVAL)
            }
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
                close(descriptor)
                throw Failure(call: "inet_pton(\(host))", code: EINVAL)
            }
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        guard result == 0 else {
            let code = errno
            close(descriptor)
            throw Failure(call: "bind \(host):\(port)", code: code)
        }
        guard Glibc.listen(descriptor, backlog) == 0 else {
            let code = errno
            close(descriptor)
            throw Failure(call: "listen", code: code)
        }
        return (descriptor, boundPort(descriptor))
    }

    static func boundPort(_ descriptor: Int32) -> UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        let family = storage.ss_family
        return withUnsafePointer(to: &storage) { pointer in
            if family == sa_family_t(AF_INET6) {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
        }
    }

    /// Sends every byte, waiting up to `timeout` seconds in all; false on failure.
    static func sendAll(_ descriptor: Int32, _ bytes: [UInt8], timeout: Double) -> Bool {
        var offset = 0
        let deadline = Deadline(seconds: timeout)
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { buffer in
                send(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
            }
            if sent > 0 {
                offset += sent
                continue
            }
            if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                guard !deadline.passed else { return false }
                var entry = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                _ = poll(&entry, 1, deadline.remainingMilliseconds)
                continue
            }
            return false
        }
        return true
    }
}

/// A point in monotonic time, for I/O time limits.
public struct Deadline: Sendable {
    public let instant: ContinuousClock.Instant

    /// `seconds` from now, taken as at most a year (and a negative or NaN one as none), so no
    /// configured timeout can overflow the conversion.
    public init(seconds: Double) {
        instant = ContinuousClock.now.advanced(by: .milliseconds(Int64(Self.bounded(seconds) * 1000)))
    }

    /// The longest wait a deadline stands for, in seconds.
    public static let longest: Double = 365 * 86_400

    /// `seconds` within 0 and `longest`, NaN as 0: safe to turn into an integer.
    public static func bounded(_ seconds: Double) -> Double {
        seconds.isNaN ? 0 : min(max(seconds, 0), longest)
    }

    public var passed: Bool { ContinuousClock.now >= instant }

    public var remainingMilliseconds: Int32 {
        Int32(clamping: max(0, ContinuousClock.now.duration(to: instant).wholeMilliseconds))
    }
}

/// glibc's accept4, which the Glibc module does not export: it sets close-on-exec
/// atomically, so a child process started meanwhile never inherits the socket.
@_silgen_name("accept4")
func acceptClosingOnExec(_ descriptor: Int32, _ address: UnsafeMutablePointer<sockaddr>?,
                         _ length: UnsafeMutablePointer<socklen_t>?, _ flags: Int32) -> Int32

extension Socket {
    /// Asks the kernel to stamp every received segment with its arrival time (real time).
    static func enableReceiveTimestamps(_ descriptor: Int32) {
        var on: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_TIMESTAMPNS, &on, socklen_t(MemoryLayout<Int32>.size))
    }

    /// `recv` that also returns the kernel's arrival time of the data read, when it gave one.
    static func receive(_ descriptor: Int32, into buffer: inout [UInt8]) -> (count: Int, arrivedAt: timespec?) {
        var control = [UInt8](repeating: 0, count: 64)
        var arrivedAt: timespec?
        let count = buffer.withUnsafeMutableBytes { bytes -> Int in
            control.withUnsafeMutableBytes { controlBytes -> Int in
                var vector = iovec(iov_base: bytes.baseAddress, iov_len: bytes.count)
                return withUnsafeMutablePointer(to: &vector) { vectorPointer -> Int in
                    var message = msghdr()
                    message.msg_iov = vectorPointer
                    message.msg_iovlen = 1
                    message.msg_control = controlBytes.baseAddress
                    message.msg_controllen = controlBytes.count
                    let received = recvmsg(descriptor, &message, 0)
                    guard received > 0 else { return received }
                    // Walk the control messages (cmsghdr: length, level, type, then data aligned to 8 bytes).
                    var offset = 0
                    let header = MemoryLayout<cmsghdr>.size
                    while offset + header <= Int(message.msg_controllen) {
                        let entry = controlBytes.load(fromByteOffset: offset, as: cmsghdr.self)
                        let length = Int(entry.cmsg_len)
                        guard length >= header else { break }
                        if entry.cmsg_level == SOL_SOCKET && entry.cmsg_type == SCM_TIMESTAMPNS,
                           offset + header + MemoryLayout<timespec>.size <= Int(message.msg_controllen) {
                            arrivedAt = controlBytes.loadUnaligned(fromByteOffset: offset + header, as: timespec.self)
                        }
                        offset += (length + 7) & ~7
                    }
                    return received
                }
            }
        }
        return (count, arrivedAt)
    }
}

import Foundation
import Glibc

/// A plain TCP connection for tests that must control every byte sent.
public final class RawConnection {
    public let descriptor: Int32
    private var pending: [UInt8] = []
    private var isClosed = false

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// A parsed response.
    public struct Response: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: String

        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    /// Connects to `host:port`; from the IPv4 address `source` when given (any of 127.0.0.0/8
    /// is this machine, so tests can be several peers).
    public init(host: String = "127.0.0.1", port: UInt16, source: String? = nil) throws {
        let isIPv6 = host.contains(":")
        descriptor = socket(isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket failed: \(String(cString: strerror(errno)))") }
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            inet_pton(AF_INET, source, &local.sin_addr)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                throw Failure(description: "bind to \(source) failed: \(reason)")
            }
        }
        let result: Int32
        if isIPv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            inet_pton(AF_INET6, host, &address.sin6_addr)
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            inet_pton(AF_INET, host, &address.sin_addr)
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        guard result == 0 else {
            close(descriptor)
            throw Failure(description: "connect to \(host):\(port) failed: \(String(cString: strerror(errno)))")
        }
    }

    deinit { if !isClosed { close(descriptor) } }

    /// Closes the connection with a reset (RST), as a crashed or impatient peer does.
    public func reset() {
        guard !isClosed else { return }
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close(descriptor)
        isClosed = true
    }

    /// Whether bytes arrive on `descriptor` (or its peer closes) within `timeout` seconds; reads
    /// nothing. It blocks: call it off the concurrency pool.
    public static func waitReadable(_ descriptor: Int32, timeout: Double) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, Int32(timeout * 1_000)) > 0
    }

    /// Ends the connection in both directions (the descriptor itself is closed at deinit).
    public func hangUp() { shutdown(descriptor, Int32(SHUT_RDWR)) }

    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw Failure(description: "send failed: \(String(cString: strerror(errno)))") }
            offset += sent
        }
    }

    /// Sends `bytes` without blocking a thread: waits (sleeping) while the peer's window is full,
    /// up to `timeout` seconds; throws if the peer resets the connection or the time runs out.
    public func send(_ bytes: [UInt8], timeout: Double) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
            }
            if sent > 0 {
                offset += sent
            } else if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                guard Date() < deadline else { throw Failure(description: "timed out sending to the server") }
                try await Task.sleep(for: .milliseconds(1))
            } else {
                throw Failure(description: "send failed: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Reads until `predicate` holds on what was received, or `timeout` seconds pass.
    /// Never blocks a thread: it polls without waiting and sleeps between tries.
    private func fill(timeout: Double, until predicate: ([UInt8]) -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !predicate(pending) {
            // The socket is read before the deadline is checked: a test task that waited its turn on a
            // busy machine still sees an answer that came while it waited.
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count > 0 {
                pending += buffer[0..<count]
            } else if count == 0 {
                throw Failure(description: "connection closed")
            } else if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR {
                guard Date() < deadline else { throw Failure(description: "timed out waiting for the server") }
                try await Task.sleep(for: .milliseconds(2))
            } else {
                throw Failure(description: "connection closed")
            }
        }
    }

    /// Reads one response (a body framed by Content-Length, or none).
    public func readResponse(timeout: Double = 15, headOnly: Bool = false) async throws -> Response {
        let separator: [UInt8] = [13, 10, 13, 10]
        func headEnd(_ bytes: [UInt8]) -> Int? {
            guard bytes.count >= 4 else { return nil }
            for index in 0...(bytes.count - 4) where Array(bytes[index..<(index + 4)]) == separator { return index }
            return nil
        }
        try await fill(timeout: timeout) { headEnd($0) != nil }
        let end = headEnd(pending)!
        let headText = String(decoding: pending[0..<end], as: UTF8.self)
        pending.removeFirst(end + 4)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let status = Int(statusLine.split(separator: " ")[1]) ?? 0
        let headers = lines.map { line -> (String, String) in
            let parts = line.split(separator: ":", maxSplits: 1)
            return (String(parts[0]), parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : "")
        }
        let length = headOnly ? 0 : Int(headers.first { $0.0.lowercased() == "content-length" }?.1 ?? "0") ?? 0
        try await fill(timeout: timeout) { $0.count >= length }
        let body = String(decoding: pending[0..<length], as: UTF8.self)
        pending.removeFirst(length)
        return Response(status: status, headers: headers, body: body)
    }

    /// Whether the server closed the connection within `timeout` seconds.
    public func isClosedByPeer(timeout: Double = 5) async -> Bool {
        do {
            try await fill(timeout: timeout) { _ in false }
            return false
        } catch let failure as Failure {
            return failure.description == "connection closed"
        } catch {
            return false
        }
    }
}

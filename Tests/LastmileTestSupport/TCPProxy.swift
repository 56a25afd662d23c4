import Foundation
import Glibc
import Synchronization

/// Forwards TCP connections from a loopback port to another, until told to cut them off: then
/// every byte either way vanishes and new connections are taken but lead nowhere, as when the
/// network between two machines fails (nothing is refused; nothing answers).
public final class TCPProxy: Sendable {
    public let port: UInt16
    private let listener: Int32
    private let target: UInt16
    private let isCut = Atomic<Bool>(false)
    private let isClosed = Atomic<Bool>(false)

    public init(to target: UInt16) throws {
        self.target = target
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var reuse: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let descriptor = listener
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(descriptor, pointer, length) == 0, listen(descriptor, 64) == 0 else { return -1 }
                return getsockname(descriptor, pointer, &length)
            }
        }
        guard bound == 0 else {
            Glibc.close(listener)
            throw RawConnection.Failure(description: "the proxy cannot listen: \(String(cString: strerror(errno)))")
        }
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "test-proxy"
        thread.start()
    }

    /// Cuts every connection off, now and from now on.
    public func cut() { isCut.store(true, ordering: .sequentiallyConsistent) }

    /// Stops listening and ends every connection.
    public func close() {
        isClosed.store(true, ordering: .sequentiallyConsistent)
        shutdown(listener, Int32(SHUT_RDWR))
    }

    deinit { Glibc.close(listener) }

    private func acceptLoop() {
        while !isClosed.load(ordering: .relaxed) {
            let client = accept(listener, nil, nil)
            guard client >= 0 else {
                if errno == EINTR { continue }
                return
            }
            let upstream = RawConnection.openLoopback(port: target)
            let thread = Thread { [self] in pump(client, upstream) }
            thread.start()
        }
    }

    /// Copies bytes both ways until either side closes; once cut, holds both ends silent.
    private func pump(_ client: Int32, _ upstream: Int32) {
        defer {
            Glibc.close(client)
            if upstream >= 0 { Glibc.close(upstream) }
        }
        guard upstream >= 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var ends = [pollfd(fd: client, events: Int16(POLLIN), revents: 0), pollfd(fd: upstream, events: Int16(POLLIN), revents: 0)]
        while !isClosed.load(ordering: .relaxed) {
            if isCut.load(ordering: .relaxed) {
                // Nothing is read, so nothing is answered: the peers wait, as across a dead network.
                Thread.sleep(forTimeInterval: 0.05)
                continue
            }
            guard poll(&ends, 2, 50) >= 0 else { return }
            for (from, to) in [(0, upstream), (1, client)] where ends[from].revents != 0 {
                if isCut.load(ordering: .relaxed) { break }
                let count = buffer.withUnsafeMutableBytes { recv(ends[from].fd, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { return }
                var offset = 0
                while offset < count {
                    let sent = buffer[offset..<count].withUnsafeBytes { send(to, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    guard sent > 0 else { return }
                    offset += sent
                }
            }
        }
    }
}

extension RawConnection {
    /// A connected loopback TCP socket, or -1.
    static func openLoopback(port: UInt16) -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Glibc.close(descriptor)
            return -1
        }
        return descriptor
    }
}

import Dispatch
import Foundation
import Glibc
import Synchronization

/// Posts reports to Lastmile over plain HTTP/1.1 keep-alive connections, from
/// threads of its own, stamping each report the instant before its bytes are
/// written, so the ground truth's times are the network's, not a scheduler's.
final class LoopbackPoster: Sendable {
    struct Job: Sendable {
        /// Builds the request at the moment of sending: method, path, headers, body; and records the stamp.
        var build: @Sendable () -> (method: String, path: String, headers: [(String, String)], body: Data)?
        /// Told when Lastmile answered the report with a 2xx.
        var acknowledged: @Sendable () -> Void = {}
        /// Told once, when the poster is done with the report (acknowledged or given up).
        var finished: @Sendable () -> Void = {}
    }

    private let queue = Mutex<[Job]>([])
    private let wakeup = DispatchSemaphore(value: 0)
    /// Lastmile's instances; a report that one cannot take goes to the next.
    private let targets: Mutex<[(host: String, port: UInt16)]> = Mutex([])
    private let stopped = Mutex(false)

    init(workers: Int = 8) {
        for index in 0..<workers {
            let thread = Thread { [self] in work(first: index) }
            thread.name = "simulator-poster-\(index)"
            thread.start()
        }
    }

    func connect(_ instances: [(host: String, port: UInt16)]) { targets.withLock { $0 = instances } }

    func post(_ job: Job) {
        queue.withLock { $0.append(job) }
        wakeup.signal()
    }

    func stop() {
        stopped.withLock { $0 = true }
        for _ in 0..<64 { wakeup.signal() }
    }

    /// Posts jobs, to the instance `first` (modulo their number) until one fails it, then to the next.
    private func work(first: Int) {
        var connection: Int32 = -1
        var connectedTo: (String, UInt16)?
        var choice = first
        while true {
            wakeup.wait()
            if stopped.withLock({ $0 }) { break }
            guard let job = queue.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { continue }
            defer { job.finished() }
            let instances = targets.withLock { $0 }
            guard !instances.isEmpty else { continue }
            let attempts = max(3, 3 * instances.count)
            for attempt in 0..<attempts {
                let (host, port) = instances[choice % instances.count]
                if connection < 0 || connectedTo.map({ $0 != (host, port) }) ?? true {
                    if connection >= 0 { close(connection) }
                    connection = Self.open(host: host, port: port)
                    connectedTo = (host, port)
                }
                // This is the poster's own thread, never one of the concurrency pool's.
                guard connection >= 0 else {
                    choice += 1
                    Thread.sleep(forTimeInterval: 0.05)
                    continue
                }
                guard let request = job.build() else { break }
                var text = "\(request.method) \(request.path) HTTP/1.1\r\nHost: \(host):\(port)\r\nContent-Length: \(request.body.count)\r\n"
                for (name, value) in request.headers { text += "\(name): \(value)\r\n" }
                let bytes = Array((text + "\r\n").utf8) + Array(request.body)
                guard Self.sendAll(connection, bytes), let answer = Self.readStatus(connection) else {
                    // Nothing came back: the report may not have arrived; send it again on a new connection, to the next instance.
                    close(connection)
                    connection = -1
                    choice += 1
                    continue
                }
                if !answer.keepOpen {
                    close(connection)
                    connection = -1
                }
                if (200..<300).contains(answer.status) { job.acknowledged() }
                if answer.status < 500 || attempt == attempts - 1 { break }
                choice += 1
            }
        }
        if connection >= 0 { close(connection) }
    }

    static func open(host: String, port: UInt16) -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(descriptor)
            return -1
        }
        var noDelay: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        return descriptor
    }

    static func sendAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    /// Reads one response (head and a Content-Length body): its status, and whether the connection stays open.
    static func readStatus(_ descriptor: Int32) -> (status: Int, keepOpen: Bool)? {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        while true {
            if let end = headEnd(received) {
                let head = String(decoding: received[0..<end], as: UTF8.self)
                let status = head.split(separator: " ").dropFirst().first.flatMap { Int($0) }
                let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                while received.count < end + 4 + length {
                    guard poll(&entry, 1, 10_000) > 0 else { return nil }
                    let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                    guard count > 0 else { return nil }
                    received += buffer[0..<count]
                }
                guard let status else { return nil }
                return (status, !head.lowercased().contains("connection: close"))
            }
            guard poll(&entry, 1, 10_000) > 0 else { return nil }
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            received += buffer[0..<count]
        }
    }

    static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4) where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }
}

import Foundation
import Glibc
import Synchronization

/// Sends `http://` requests over pooled keep-alive sockets, each exchange on a
/// thread of its own, and stamps the instant the request is written.
final class PlainHTTPTransport: Sendable {
    private struct Idle {
        var descriptor: Int32
        var since: ContinuousClock.Instant
    }

    /// Pooled connections idle longer than this are not reused (servers close idle ones).
    static let maximumIdle: Duration = .seconds(2)
    static let maximumPooledPerHost = 16

    private let idle = Mutex<[String: [Idle]]>([:])

    deinit {
        idle.withLock { pool in
            for connections in pool.values { for connection in connections { close(connection.descriptor) } }
        }
    }

    func send(_ request: HTTPClient.Request) async throws(HTTPClient.Failure) -> HTTPClient.Response {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<HTTPClient.Response, HTTPClient.Failure>, Never>) in
            let thread = Thread { [self] in
                do throws(HTTPClient.Failure) {
                    continuation.resume(returning: .success(try exchange(request)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
            thread.stackSize = 256 * 1024
            thread.start()
        }
        return try result.get()
    }

    private func exchange(_ request: HTTPClient.Request) throws(HTTPClient.Failure) -> HTTPClient.Response {
        let deadline = Deadline(seconds: request.timeout)
        guard let host = request.url.host else { throw .transport("the URL names no host") }
        let port = UInt16(request.url.port ?? 80)
        let key = "\(host):\(port)"
        // URL.path would drop a trailing slash, which some APIs need (Plivo's /Message/).
        let components = URLComponents(url: request.url, resolvingAgainstBaseURL: false)
        var target = components?.percentEncodedPath ?? "/"
        if target.isEmpty { target = "/" }
        if let query = components?.percentEncodedQuery { target += "?" + query }
        let bytes = PlainHTTPExchange.encode(method: request.method, target: target,
                                             host: request.url.port == nil ? host : key, headers: request.headers,
                                             body: Array(request.body ?? Data()))
        let descriptor: Int32
        if let pooled = takeIdle(key) {
            descriptor = pooled
        } else {
            descriptor = try PlainHTTPExchange.connect(host: host, port: port, deadline: deadline)
        }
        do throws(HTTPClient.Failure) {
            let startedAt = Date()
            try PlainHTTPExchange.write(descriptor, bytes, deadline: deadline)
            let answer = try PlainHTTPExchange.read(descriptor, deadline: deadline, headRequest: request.method == "HEAD")
            if answer.keepAlive { giveBack(descriptor, key) } else { close(descriptor) }
            var headers: [String: String] = [:]
            for (name, value) in answer.headers { headers[name] = value }
            return HTTPClient.Response(status: answer.status, headers: headers, body: Data(answer.body), startedAt: startedAt)
        } catch {
            close(descriptor)
            throw error
        }
    }

    private func takeIdle(_ key: String) -> Int32? {
        while let candidate = idle.withLock({ $0[key]?.popLast() }) {
            var entry = pollfd(fd: candidate.descriptor, events: Int16(POLLIN), revents: 0)
            // Fresh enough, and not readable (a readable idle socket has been closed by the server).
            if ContinuousClock.now - candidate.since < Self.maximumIdle && poll(&entry, 1, 0) == 0 {
                return candidate.descriptor
            }
            close(candidate.descriptor)
        }
        return nil
    }

    private func giveBack(_ descriptor: Int32, _ key: String) {
        let kept = idle.withLock { pool -> Bool in
            guard pool[key, default: []].count < Self.maximumPooledPerHost else { return false }
            pool[key, default: []].append(Idle(descriptor: descriptor, since: .now))
            return true
        }
        if !kept { close(descriptor) }
    }
}

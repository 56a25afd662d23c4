import Foundation
import Testing
@testable import HTTP

@Suite struct ClientTests {
    @Test func retriesOnlyRequestsSafeToRepeat() async throws {
        let calls = Counter()
        let server = HTTPServer { request in
            calls.increment()
            return .error(.serviceUnavailable, "try later")
        }
        let port = try server.listen(host: "127.0.0.1", port: 0)
        defer { server.close() }
        let client = HTTPClient()
        let url = URL(string: "http://127.0.0.1:\(port)/x")!
        let get = try await client.send(HTTPClient.Request(url: url, timeout: 5), retries: 2)
        #expect(get.status == 503)
        #expect(calls.count == 3)
        let post = try await client.send(HTTPClient.Request(method: "POST", url: url, body: Data("x".utf8), timeout: 5), retries: 2)
        #expect(post.status == 503)
        #expect(calls.count == 4)
    }

    @Test func aSilentServerTimesOut() async throws {
        let server = HTTPServer { _ in
            // Far longer than the timeout: an answer here means the timeout did not work.
            try await Task.sleep(for: .seconds(30))
            return .text("late")
        }
        let port = try server.listen(host: "127.0.0.1", port: 0)
        defer { server.close() }
        await #expect(throws: HTTPClient.Failure.timedOut) {
            try await HTTPClient().send(HTTPClient.Request(method: "POST", url: URL(string: "http://127.0.0.1:\(port)/")!, timeout: 0.5))
        }
    }
}

@Suite struct PlainTransportTests {
    @Test func manyConcurrentPostsOverPooledConnectionsAllArrive() async throws {
        let calls = Counter()
        let server = HTTPServer { request in
            calls.increment()
            if Int.random(in: 0..<10) == 0 { try await Task.sleep(for: .milliseconds(20)) }
            return HTTPResponse(status: .ok, body: request.body)
        }
        let port = try server.listen(host: "127.0.0.1", port: 0)
        defer { server.close() }
        let client = HTTPClient()
        let failures = Counter()
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<20 {
                group.addTask {
                    for index in 0..<100 {
                        let body = Data("w\(worker)-\(index)".utf8)
                        let request = HTTPClient.Request(method: "POST", url: URL(string: "http://127.0.0.1:\(port)/echo")!, body: body,
                                                         timeout: 5)
                        do {
                            let response = try await client.send(request)
                            if response.status != 200 || response.body != body { failures.increment() }
                        } catch {
                            failures.increment()
                        }
                        if index % 7 == 0 { try? await Task.sleep(for: .milliseconds(Int.random(in: 1...30))) }
                    }
                }
            }
        }
        #expect(failures.count == 0)
        #expect(calls.count == 2_000)
        // Connections are reused, not piled up: at most one per concurrent sender, and idle ones go back to the pool.
        #expect(server.connectionCount <= 20, "\(server.connectionCount) connections open")
    }

    @Test func chunkedAndCloseDelimitedAnswersAreRead() async throws {
        let server = try RawTestServer(responses: [
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
            "HTTP/1.0 201 Created\r\n\r\nuntil close",
        ])
        let client = HTTPClient()
        let chunked = try await client.send(HTTPClient.Request(url: URL(string: "http://127.0.0.1:\(server.port)/a")!, timeout: 5))
        #expect(chunked.status == 200)
        #expect(String(decoding: chunked.body, as: UTF8.self) == "hello world")
        let closing = try await client.send(HTTPClient.Request(url: URL(string: "http://127.0.0.1:\(server.port)/b")!, timeout: 5))
        #expect(closing.status == 201)
        #expect(String(decoding: closing.body, as: UTF8.self) == "until close")
    }
}

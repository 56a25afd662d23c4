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
        defer { server.stop(grace: 0.2) }
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
            try await Task.sleep(for: .seconds(3))
            return .text("late")
        }
        let port = try server.listen(host: "127.0.0.1", port: 0)
        defer { server.stop(grace: 0.2) }
        let started = Date()
        await #expect(throws: HTTPClient.Failure.timedOut) {
            try await HTTPClient().send(HTTPClient.Request(method: "POST", url: URL(string: "http://127.0.0.1:\(port)/")!, timeout: 0.5))
        }
        #expect(Date().timeIntervalSince(started) < 2.5)
    }
}

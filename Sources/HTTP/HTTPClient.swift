import Foundation
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Outgoing HTTP, with a time limit on every request and retries only for
/// requests that are safe to repeat. `https://` goes through URLSession;
/// plain `http://` through pooled sockets of our own, which stamp the moment a
/// request is written (`Response.startedAt`) to the millisecond.
public struct HTTPClient: Sendable {
    /// One outgoing request.
    public struct Request: Sendable {
        public var method: String
        public var url: URL
        public var headers: [(String, String)]
        public var body: Data?
        /// Seconds for the whole exchange.
        public var timeout: Double
        /// Whether sending it twice is harmless. A send of a message never is.
        public var isIdempotent: Bool

        public init(method: String = "GET", url: URL, headers: [(String, String)] = [], body: Data? = nil,
                    timeout: Double = 10, isIdempotent: Bool? = nil) {
            self.method = method
            self.url = url
            self.headers = headers
            self.body = body
            self.timeout = timeout
            self.isIdempotent = isIdempotent ?? ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"].contains(method)
        }
    }

    /// An answer, whatever its status.
    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: Data
        /// When the request was handed to the network (the last attempt's).
        public var startedAt: Date = Date()

        /// The header `name`, case-insensitively.
        public func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        }
    }

    /// Why no answer came.
    public enum Failure: Error, Sendable, CustomStringConvertible, Equatable {
        case timedOut
        case transport(String)

        public var description: String {
            switch self {
            case .timedOut: return "timed out"
            case .transport(let reason): return reason
            }
        }
    }

    /// Made at the first `https://` request: a daemon whose routes all speak plain HTTP (a
    /// local gateway, the simulator) never starts URLSession's threads and buffers.
    private let sessionStorage = SessionStorage()
    private let plain = PlainHTTPTransport()

    public init() {}

    /// The most an answer's body may hold: a provider's answer is a few hundred bytes.
    public static let maximumResponseBytes = 8 * 1024 * 1024

    private final class SessionStorage: Sendable {
        private let session = Mutex<URLSession?>(nil)
        let delegate = BoundedSessionDelegate(maximumBytes: HTTPClient.maximumResponseBytes)

        var value: URLSession {
            session.withLock { session in
                if let session { return session }
                let configuration = URLSessionConfiguration.ephemeral
                configuration.httpMaximumConnectionsPerHost = 16
                configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
                configuration.urlCache = nil
                configuration.httpCookieStorage = nil
                let made = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
                session = made
                return made
            }
        }
    }

    /// Sends `request`. Idempotent requests are retried up to `retries` times after
    /// a transport failure or a 5xx, with growing pauses; others are sent once.
    public func send(_ request: Request, retries: Int = 0) async throws(Failure) -> Response {
        let attempts = request.isIdempotent ? max(0, retries) + 1 : 1
        var lastFailure = Failure.transport("not sent")
        for attempt in 0..<attempts {
            if attempt > 0 {
                try? await Task.sleep(for: .milliseconds(100 * (1 << min(attempt, 6))))
            }
            do {
                let response = try await once(request)
                if response.status >= 500 && attempt + 1 < attempts { continue }
                return response
            } catch {
                lastFailure = error
            }
        }
        throw lastFailure
    }

    /// One exchange, bounded by `request.timeout` in all (URLSession's own timeout
    /// only bounds the silence between bytes).
    private func once(_ request: Request) async throws(Failure) -> Response {
        let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Response, Failure>, Never>) in
            let once = ResumeOnce(continuation)
            let exchange = Task {
                do throws(Failure) {
                    once.resume(.success(try await exchangeOnce(request)))
                } catch {
                    once.resume(.failure(error))
                }
            }
            Task {
                try? await Task.sleep(until: Deadline(seconds: request.timeout).instant)
                once.resume(.failure(.timedOut))
                exchange.cancel()
            }
        }
        return try outcome.get()
    }

    private func exchangeOnce(_ request: Request) async throws(Failure) -> Response {
        if request.url.scheme?.lowercased() == "http" {
            return try await plain.send(request)
        }
        return try await exchangeThroughSession(request)
    }

    /// The exchange through URLSession (any scheme it speaks; `https://` in use): redirects are
    /// answers, not followed, and a body past `maximumResponseBytes` is refused.
    func exchangeThroughSession(_ request: Request) async throws(Failure) -> Response {
        // URLSession turns the interval into an integer: a NaN or a huge one would trap there.
        let interval = max(Deadline.bounded(request.timeout), 0.001)
        var urlRequest = URLRequest(url: request.url, timeoutInterval: interval)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers { urlRequest.addValue(value, forHTTPHeaderField: name) }
        // Compressed answers are not asked for: a small one can expand past any sensible size.
        if !request.headers.contains(where: { $0.0.lowercased() == "accept-encoding" }) {
            urlRequest.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        }
        urlRequest.httpBody = request.body
        do {
            let startedAt = Date()
            let (data, response) = try await sessionStorage.delegate.exchange(urlRequest, on: sessionStorage.value)
            guard let http = response as? HTTPURLResponse else { throw Failure.transport("not an HTTP response") }
            var headers: [String: String] = [:]
            for (key, value) in http.allHeaderFields {
                if let key = key as? String, let value = value as? String { headers[key] = value }
            }
            return Response(status: http.statusCode, headers: headers, body: data, startedAt: startedAt)
        } catch let error as Failure {
            throw error
        } catch let error as URLError where error.code == .timedOut {
            throw .timedOut
        } catch {
            throw .transport(error.localizedDescription)
        }
    }
}

/// Resumes a continuation with the first result offered and ignores the rest.
private final class ResumeOnce<Value: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<Value, Never>?>

    init(_ continuation: CheckedContinuation<Value, Never>) {
        self.continuation = Mutex(continuation)
    }

    func resume(_ value: Value) {
        let waiting = continuation.withLock { stored -> CheckedContinuation<Value, Never>? in
            defer { stored = nil }
            return stored
        }
        waiting?.resume(returning: value)
    }
}

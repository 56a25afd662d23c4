import Foundation
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// URLSession's delegate for `HTTPClient`: an answer is kept whole only up to a cap (a peer, or
/// whoever sits on its path, answering gigabytes or a gzip bomb is cut off there), and a redirect
/// is never followed but returned as the answer, since following it would carry the request's
/// credentials (`Authorization`, API keys in headers) to whatever host `Location` names.
///
/// One gap is URLSession's own: the body of a 3xx answer is held inside it until the redirect
/// is decided, past this delegate's count; the request's time limit is what bounds that one.
final class BoundedSessionDelegate: NSObject, URLSessionDataDelegate, Sendable {
    private struct Transfer {
        var data = Data()
        let continuation: CheckedContinuation<(Data, URLResponse), any Error>
    }

    /// The most an answer's body may hold, after any decompression.
    let maximumBytes: Int
    private let transfers = Mutex<[Int: Transfer]>([:])

    init(maximumBytes: Int) {
        self.maximumBytes = maximumBytes
    }

    /// Runs `request` on `session` (whose delegate this is) and returns its whole answer.
    func exchange(_ request: URLRequest, on session: URLSession) async throws -> (Data, URLResponse) {
        let task = session.dataTask(with: request)
        let identifier = task.taskIdentifier
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfers.withLock { $0[identifier] = Transfer(continuation: continuation) }
                // Cancelled before it was registered: the handler below found nothing to end, and
                // the request must not go out (a send its caller has already called timed out).
                guard !Task.isCancelled else {
                    end(identifier, throwing: CancellationError())
                    task.cancel()
                    return
                }
                task.resume()
            }
        } onCancel: {
            // A task cancelled before it runs may never report back: its exchange ends here.
            end(identifier, throwing: CancellationError())
            task.cancel()
        }
    }

    /// Ends the exchange of task `identifier`, if it is still under way, with `error`.
    private func end(_ identifier: Int, throwing error: any Error) {
        transfers.withLock { $0.removeValue(forKey: identifier) }?.continuation.resume(throwing: error)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let refused = transfers.withLock { transfers -> Transfer? in
            guard let received = transfers[dataTask.taskIdentifier]?.data.count else { return nil }
            guard received + data.count <= maximumBytes else { return transfers.removeValue(forKey: dataTask.taskIdentifier) }
            // In place: a copy taken out first would make every chunk copy the whole body so far.
            transfers[dataTask.taskIdentifier]?.data.append(data)
            return nil
        }
        guard let refused else { return }
        refused.continuation.resume(throwing: HTTPClient.Failure.transport("response larger than \(maximumBytes) bytes"))
        dataTask.cancel()
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(nil)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        guard let transfer = transfers.withLock({ $0.removeValue(forKey: task.taskIdentifier) }) else { return }
        if let error {
            transfer.continuation.resume(throwing: error)
        } else if let response = task.response {
            transfer.continuation.resume(returning: (transfer.data, response))
        } else {
            transfer.continuation.resume(throwing: HTTPClient.Failure.transport("not an HTTP response"))
        }
    }
}

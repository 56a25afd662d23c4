import Foundation
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// URLSession's delegate for `HTTPClient`: an answer is kept whole only up to a cap (a peer, or
/// whoever sits on its path, answering gigabytes or a gzip bomb is cut off there), and a redirect
/// is never followed but returned as the answer, since following it would carry the request's
/// credentials (`Authorization`, API keys in headers) to whatever host `Location` names.
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
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfers.withLock { $0[task.taskIdentifier] = Transfer(continuation: continuation) }
                task.resume()
            }
        } onCancel: {
            task.cancel()
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let refused = transfers.withLock { transfers -> Transfer? in
            guard var transfer = transfers[dataTask.taskIdentifier] else { return nil }
            guard transfer.data.count + data.count <= maximumBytes else {
                transfers[dataTask.taskIdentifier] = nil
                return transfer
            }
            transfer.data.append(data)
            transfers[dataTask.taskIdentifier] = transfer
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

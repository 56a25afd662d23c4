import Foundation
import Glibc
@testable import HTTP

/// A listener that answers each connection's first request with the next canned response, then closes.
final class RawTestServer: Sendable {
    let port: UInt16
    private let descriptor: Int32

    init(responses: [String]) throws {
        let (descriptor, port) = try Socket.listen(host: "127.0.0.1", port: 0)
        self.descriptor = descriptor
        self.port = port
        let thread = Thread {
            for response in responses {
                let client = accept(descriptor, nil, nil)
                guard client >= 0 else { return }
                var buffer = [UInt8](repeating: 0, count: 4096)
                _ = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
                _ = Socket.sendAll(client, Array(response.utf8), timeout: 2)
                close(client)
            }
        }
        thread.start()
    }

    deinit { close(descriptor) }
}

import Foundation
import HTTP
import Synchronization

/// A send API on loopback shaped like DESIGN.md's generic one: it records every
/// send and answers `{"status":"success","messages":[{"bx_message_id":…,"status":"QUEUED"}]}`.
final class FakeProvider: Sendable {
    struct Sent: Sendable {
        var messageID: String
        var to: String
        var from: String
        var text: String
        var authorization: String?
        /// When the send reached the provider.
        var at = ContinuousClock.now
    }

    let server: HTTPServer
    let port: UInt16

    init() throws {
        let box = SentBox()
        let hang = HangSwitch()
        server = HTTPServer { request in
            // Hangs while the switch is on (at most 30 seconds).
            var waited = 0
            while hang.isOn && waited < 600 {
                try await Task.sleep(for: .milliseconds(50))
                waited += 1
            }
            guard request.path == "/api/v1/send_sms",
                  let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any],
                  let to = object["to"] as? String, let text = object["text"] as? String else {
                return .error(.badRequest, "bad send")
            }
            let id = box.append(to: to, from: object["sender"] as? String ?? "", text: text,
                                authorization: request.headers["Authorization"])
            let answer = #"{"status":"success","order_id":1,"route_id":2,"messages":[{"bx_message_id":"\#(id)","status":"QUEUED"}]}"#
            return .json(Array(answer.utf8))
        }
        port = try server.listen(host: "127.0.0.1", port: 0)
        self.box = box
        self.hangSwitch = hang
    }

    let box: SentBox
    let hangSwitch: HangSwitch

    var messages: [Sent] { box.all }

    /// Waits until at least `count` sends arrived.
    func waitForSends(_ count: Int, timeout: Double = 20) async -> [Sent] {
        let deadline = Date().addingTimeInterval(timeout)
        while box.all.count < count && Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        return box.all
    }

    deinit { server.close() }
}

final class SentBox: Sendable {
    private let storage = Mutex<[FakeProvider.Sent]>([])

    func append(to: String, from: String, text: String, authorization: String?) -> String {
        storage.withLock { sent in
            let id = "bx-\(sent.count + 1)"
            sent.append(FakeProvider.Sent(messageID: id, to: to, from: from, text: text, authorization: authorization))
            return id
        }
    }

    var all: [FakeProvider.Sent] { storage.withLock { $0 } }
}

final class HangSwitch: Sendable {
    private let value = Mutex(false)
    var isOn: Bool { value.withLock { $0 } }
    func set(_ on: Bool) { value.withLock { $0 = on } }
}

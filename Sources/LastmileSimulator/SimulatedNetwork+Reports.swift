import Foundation
import HTTP
import LastmileConfig
import LastmileCore
import LastmileProviders

/// A receipt the network sends, in neutral words; each provider format spells it its own way.
enum ReceiptWord {
    case pending, delivered, failed
}

extension SimulatedNetwork {
    // MARK: Answers

    func twilioAccepted(messageID: String, send: Send) -> HTTPResponse {
        let object: [String: Any] = ["sid": messageID, "status": "queued", "to": send.to, "from": send.from, "body": send.body,
                                     "num_segments": "1", "error_code": NSNull(), "error_message": NSNull(), "price": NSNull()]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return .json(Array(data), status: HTTPStatus(201))
    }

    func twilioError(status: Int, code: Int, message: String) -> HTTPResponse {
        let text = #"{"code":\#(code),"message":"\#(message)","more_info":"https://www.twilio.com/docs/errors/\#(code)","status":\#(status)}"#
        return .json(Array(text.utf8), status: HTTPStatus(status))
    }

    func genericAccepted(messageID: String, number: Int) -> HTTPResponse {
        .json(Array(#"{"status":"success","order_id":\#(number),"route_id":7,"messages":[{"bx_message_id":"\#(messageID)","status":"QUEUED"}]}"#.utf8))
    }

    // MARK: Reports

    func scheduleReceipt(key: String, send: Send, messageID: String, word: ReceiptWord, after delay: Double) {
        guard let base = lastmileURL else { return }
        let route = send.route
        var request: HTTPClient.Request
        if send.twilio {
            let status: String
            switch word {
            case .pending: status = "sent"
            case .delivered: status = "delivered"
            case .failed: status = "undelivered"
            }
            var form = "MessageSid=\(messageID)&SmsSid=\(messageID)&MessageStatus=\(status)&AccountSid="
                + PercentEncoding.encode(route.credentials["account_sid"]?.reveal() ?? "")
            if word == .failed { form += "&ErrorCode=30003" }
            let url = send.statusCallback ?? base.appendingPathComponent("hooks/receipts/\(route.name)")
            request = HTTPClient.Request(method: "POST", url: url, headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                         body: Data(form.utf8), timeout: 10, isIdempotent: true)
        } else {
            let specification = route.http
            let status: String
            switch word {
            case .pending: status = "ENROUTE"
            case .delivered: status = specification?.delivered.first ?? "DELIVRD"
            case .failed: status = specification?.failed.first ?? "UNDELIV"
            }
            var object: [String: Any] = [specification?.receiptMessageID ?? "message_id": messageID,
                                         specification?.receiptStatus ?? "status": status]
            object[specification?.receiptErrorCode ?? "error_code"] = word == .failed ? "001" : NSNull()
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            request = HTTPClient.Request(method: "POST", url: base.appendingPathComponent("hooks/receipts/\(route.name)"),
                                         headers: [("Content-Type", "application/json")], body: data, timeout: 10, isIdempotent: true)
        }
        if let secret = route.hookSecret { request.headers.append(("Authorization", "Bearer \(secret.reveal())")) }
        let posted: String
        switch word {
        case .pending: posted = "pending"
        case .delivered: posted = "delivered"
        case .failed: posted = "failed"
        }
        post(request, after: delay) { [truth] in truth.update(key) { $0.receiptsPosted.append(posted) } }
    }

    func scheduleArrival(key: String, send: Send, receiver: ReceiverConfiguration, rules: RouteBehavior,
                         random: inout SeededRandom, latency: Double? = nil) {
        let delay = latency ?? rules.deliveryLatency.sample(using: &random)
        let alterBody = random.chance(rules.alterBodyRate)
        let alterSender = random.chance(rules.alterSenderRate)
        let twice = random.chance(rules.deliverTwiceRate)
        let body = alterBody ? "FreeMsg: " + send.body : send.body
        let from = alterSender ? "+15550000000" : send.from
        truth.update(key) {
            $0.alteredBody = alterBody
            $0.alteredSender = alterSender
        }
        for copy in 0..<(twice ? 2 : 1) {
            let skew = rules.phoneClockSkew
            post(after: delay + Double(copy) * 0.4, build: { [self] in
                guard let base = lastmileURL else { return nil }
                let receivedAt = Date().addingTimeInterval(skew)
                let object: [String: Any] = [
                    "deviceId": "sim-\(receiver.name)", "event": "sms:received", "id": UUID().uuidString, "webhookId": "lastmile",
                    "payload": ["messageId": UUID().uuidString, "message": body, "phoneNumber": from, "simNumber": 1,
                                "receivedAt": Timestamps.format(receivedAt)] as [String: Any],
                ]
                let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
                var request = HTTPClient.Request(method: "POST", url: base.appendingPathComponent("hooks/arrivals/\(receiver.name)"),
                                                 headers: [("Content-Type", "application/json")], body: data, timeout: 10,
                                                 isIdempotent: true)
                if let secret = receiver.secret { request.headers.append(("Authorization", "Bearer \(secret.reveal())")) }
                let postedAt = now
                truth.update(key) { truth in
                    truth.arrivalsPosted += 1
                    if truth.arrivalPostedAt == nil { truth.arrivalPostedAt = postedAt }
                }
                return request
            })
        }
    }

    private func post(_ request: HTTPClient.Request, after delay: Double, then record: @escaping @Sendable () -> Void) {
        post(after: delay, build: {
            record()
            return request
        })
    }

    /// Posts what `build` makes after `delay` seconds, retrying a few times as providers do.
    private func post(after delay: Double, build: @escaping @Sendable () -> HTTPClient.Request?) {
        beginReport()
        let client = self.client
        Task { [self] in
            defer { endReport() }
            try? await Task.sleep(for: .seconds(max(0, delay)))
            guard let request = build() else { return }
            _ = try? await client.send(request, retries: 3)
        }
    }
}

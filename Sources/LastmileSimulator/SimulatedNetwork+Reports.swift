import Foundation
import HTTP
import LastmileBase
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
        let route = send.route
        let path: String
        let headers: [(String, String)]
        let body: Data
        let posted: String
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
            path = send.statusCallback.map { callback in
                callback.path + (callback.query.map { "?" + $0 } ?? "")
            } ?? "/hooks/receipts/\(route.name)"
            // Signed as Twilio signs: over the callback URL it was given and the posted fields.
            let signature = TwilioSignatureVerifier.signature(
                url: send.statusCallback?.absoluteString ?? "", parameters: PercentEncoding.formFields(form).map { ($0.name, $0.value) },
                authToken: route.credentials["auth_token"]?.reveal() ?? "")
            headers = [("Content-Type", "application/x-www-form-urlencoded"), ("X-Twilio-Signature", signature)]
            body = Data(form.utf8)
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
            path = "/hooks/receipts/\(route.name)"
            headers = [("Content-Type", "application/json")]
            body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        }
        switch word {
        case .pending: posted = "pending"
        case .delivered: posted = "delivered"
        case .failed: posted = "failed"
        }
        let authorization = route.hookSecret.map { [("Authorization", "Bearer \($0.reveal())")] } ?? []
        post(after: delay, acknowledged: { [truth] in truth.update(key) { $0.receiptsAcknowledged += 1 } }) { [truth] in
            truth.update(key) { $0.receiptsPosted.append(posted) }
            return ("POST", path, headers + authorization, body)
        }
    }

    func scheduleArrival(key: String, send: Send, receiver: ReceiverConfiguration, rules: RouteBehavior,
                         random: inout SeededRandom, latency: Double? = nil) {
        let delay = latency ?? rules.deliveryLatency.sample(using: &random)
        if let silentFrom = silences[receiver.name], now + delay >= silentFrom {
            // The phone has gone quiet: the message may be on it, but nothing will say so.
            truth.update(key) { $0.delivered = false }
            return
        }
        let alterBody = random.chance(rules.alterBodyRate)
        let alterSender = random.chance(rules.alterSenderRate)
        let twice = random.chance(rules.deliverTwiceRate)
        let body = alterBody ? "FreeMsg: " + send.body : send.body
        let from = alterSender ? "+15550000000" : send.from
        truth.update(key) {
            $0.alteredBody = alterBody
            $0.alteredSender = alterSender
        }
        let signingKey = receiver.secret?.reveal()
        for copy in 0..<(twice ? 2 : 1) {
            let skew = rules.phoneClockSkew
            // The arrival counts from the attempt Lastmile took: one sent to an instance that had
            // died and then to another arrived when the second got it.
            post(after: delay + Double(copy) * 0.4, acknowledged: { [truth] in
                truth.update(key) { truth in
                    truth.arrivalsAcknowledged += 1
                    if truth.arrivalPostedAt == nil { truth.arrivalPostedAt = truth.arrivalAttemptAt }
                }
            }) { [self] in
                let receivedAt = Date().addingTimeInterval(skew)
                let object: [String: Any] = [
                    "deviceId": "sim-\(receiver.name)", "event": "sms:received", "id": UUID().uuidString, "webhookId": "lastmile",
                    "payload": ["messageId": UUID().uuidString, "message": body, "phoneNumber": from, "simNumber": 1,
                                "receivedAt": Timestamps.format(receivedAt)] as [String: Any],
                ]
                let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
                let postedAt = now
                truth.update(key) { truth in
                    truth.arrivalsPosted += 1
                    truth.arrivalAttemptAt = postedAt
                }
                var headers = [("Content-Type", "application/json")]
                if let signingKey {
                    // Signed as the app signs: hex HMAC-SHA256 of the body followed by the timestamp.
                    let timestamp = String(Int(Date().timeIntervalSince1970))
                    headers += [("X-Timestamp", timestamp),
                                ("X-Signature", AndroidSMSGatewayVerifier.signature(body: Array(data), timestamp: timestamp,
                                                                                    signingKey: signingKey))]
                }
                return ("POST", "/hooks/arrivals/\(receiver.name)", headers, data)
            }
        }
    }

    /// Hands a report to the poster after `delay` seconds; `build` runs the instant before it is written.
    private func post(after delay: Double, acknowledged: @escaping @Sendable () -> Void = {},
                      build: @escaping @Sendable () -> (method: String, path: String, headers: [(String, String)], body: Data)?) {
        beginReport()
        let poster = self.poster
        Task { [self] in
            try? await Task.sleep(for: .seconds(max(0, delay)))
            poster.post(LoopbackPoster.Job(build: build, acknowledged: acknowledged, finished: { [self] in endReport() }))
        }
    }
}

import Foundation
import HTTP
import LastmileConfig
import LastmileCore
import LastmileProviders
import Synchronization

/// Providers, carriers and phones on loopback HTTP, for the demo and for tests.
///
/// It answers sends in Twilio's wire format and in DESIGN.md's generic JSON API,
/// posts receipts back to Lastmile's receipt hooks in those providers' formats,
/// and has phones post arrivals as SMS Gateway for Android webhooks. What it does
/// to each message follows the route's `RouteBehavior` and a seed, and is
/// recorded in `truth`.
public final class SimulatedNetwork: Sendable {
    public let truth = GroundTruthLog()
    let configuration: LastmileConfiguration
    let seed: UInt64
    let behavior: @Sendable (_ route: String, _ carrier: String) -> RouteBehavior
    /// Receivers that stop reporting, by name: seconds after the simulator started.
    let silences: [String: TimeInterval]
    /// The simulator's time axis: wall-clock seconds since it was made, the clock Lastmile stamps with too.
    let origin = Date()
    private let lastmile = Mutex<URL?>(nil)
    let poster = LoopbackPoster()
    private let counter = Mutex(0)
    private let sequences = Mutex<[String: Int]>([:])
    private let pending = Mutex(0)

    var lastmileURL: URL? { lastmile.withLock { $0 } }
    func beginReport() { pending.withLock { $0 += 1 } }
    func endReport() { pending.withLock { $0 -= 1 } }
    private let server: HTTPServer

    public init(configuration: LastmileConfiguration, seed: UInt64,
                behavior: @escaping @Sendable (_ route: String, _ carrier: String) -> RouteBehavior = RouteBehavior.demo,
                silences: [String: TimeInterval] = [:]) {
        self.silences = silences
        self.configuration = configuration
        self.seed = seed
        self.behavior = behavior
        let box = Mutex<SimulatedNetwork?>(nil)
        server = HTTPServer { request in
            guard let network = box.withLock({ $0 }) else { return .error(.serviceUnavailable, "starting") }
            return await network.handle(request)
        }
        box.withLock { $0 = self }
    }

    /// Starts answering on `host:port` (0: any free port) and returns the port.
    public func start(host: String = "127.0.0.1", port: UInt16 = 0) throws -> UInt16 {
        try server.listen(host: host, port: port)
    }

    /// Where Lastmile's hooks are (set once the daemon is listening).
    public func connect(lastmile url: URL) {
        connect(lastmile: [url])
    }

    /// Where the hooks of several Lastmile instances are: reports are spread over them, and one
    /// an instance cannot take goes to the next, as a provider with several callback URLs does.
    public func connect(lastmile urls: [URL]) {
        lastmile.withLock { $0 = urls.first }
        poster.connect(urls.map { ($0.host ?? "127.0.0.1", UInt16($0.port ?? 80)) })
    }

    /// Stops the simulated APIs (letting requests in flight finish) and the poster.
    public func stop() async {
        await server.stop(grace: 1)
        poster.stop()
    }

    /// Connections open to the simulated APIs now.
    public var connectionCount: Int { server.connectionCount }

    /// Reports scheduled and not yet posted.
    public var pendingReports: Int { pending.withLock { $0 } }

    /// Seconds since the simulator was made.
    var now: Double { Date().timeIntervalSince(origin) }

    // MARK: Sends

    struct Send {
        var route: RouteConfiguration
        var to: String
        var from: String
        var body: String
        var statusCallback: URL?
        var twilio: Bool
    }

    func handle(_ request: HTTPRequest) async -> HTTPResponse {
        let receivedAt = request.receivedAt?.timeIntervalSince(origin) ?? now
        guard request.method == "POST" else { return .error(.methodNotAllowed, "sends are POSTs") }
        let send: Send
        switch parseSend(request) {
        case .send(let parsed): send = parsed
        case .refuse(let response): return response
        }
        guard let receiver = configuration.receivers.first(where: { $0.number == send.to }) else {
            return send.twilio ? twilioError(status: 400, code: 21211, message: "Invalid 'To' Phone Number")
                               : .error(.badRequest, "unknown number \(send.to)")
        }
        let number = counter.withLock { value -> Int in
            value += 1
            return value
        }
        // Decisions follow the seed and the message's place in its route × phone sequence,
        // so the same seed tells the same story whatever the tokens are.
        let sequence = sequences.withLock { counts -> Int in
            counts["\(send.route.name)|\(receiver.name)", default: 0] += 1
            return counts["\(send.route.name)|\(receiver.name)"]!
        }
        let key = send.body
        let token = TokenScanner.candidates(in: send.body).first { send.body.contains($0.description) }
        var random = SeededRandom(seed: seed, key: "\(send.route.name)|\(receiver.name)|\(sequence)")
        let rules = behavior(send.route.name, receiver.carrier)
        let messageID = send.twilio ? "SM" + String(format: "%032x", random.next() & 0xFFFF_FFFF_FFFF) : "bx-\(number)"
        var truth = MessageTruth(route: send.route.name, carrier: receiver.carrier, receiver: receiver.name, to: send.to,
                                 body: send.body, token: token, sendReceivedAt: receivedAt, outcome: .accepted,
                                 messageID: nil, delivered: false, arrivalPostedAt: nil, arrivalsPosted: 0, receiptsPosted: [],
                                 alteredBody: false, alteredSender: false, falseReceipt: false)

        try? await Task.sleep(for: .seconds(rules.apiLatency.sample(using: &random)))
        let down = rules.downWindows.contains { $0.contains(receivedAt) }
        if down || random.chance(rules.errorRate) {
            truth.outcome = .error
            let deliveredAnyway = !down && random.chance(rules.errorButDeliveredRate)
            truth.delivered = deliveredAnyway
            self.truth.record(key, truth)
            if deliveredAnyway { scheduleArrival(key: key, send: send, receiver: receiver, rules: rules, random: &random) }
            return send.twilio ? twilioError(status: 503, code: 20503, message: "Service unavailable")
                               : .error(.serviceUnavailable, "upstream unavailable")
        }
        if random.chance(rules.rejectRate) {
            truth.outcome = .rejected
            self.truth.record(key, truth)
            return send.twilio ? twilioError(status: 400, code: 21610, message: "Attempt to send to unsubscribed recipient")
                               : .json(Array(#"{"status":"error","error":"destination blocked","messages":[]}"#.utf8), status: .unprocessableContent)
        }
        truth.messageID = messageID
        let dropped = random.chance(rules.dropRate)
        truth.delivered = !dropped
        self.truth.record(key, truth)

        // Receipts: what the route claims, when.
        let receiptAt = rules.receiptDelay.sample(using: &random)
        var words: [(delay: Double, status: ReceiptWord)] = [(0.02, .pending)]
        if dropped {
            if random.chance(rules.falseReceiptRate) {
                words.append((receiptAt, .delivered))
                self.truth.update(key) { $0.falseReceipt = true }
            } else if random.chance(rules.honestFailureRate) {
                words.append((receiptAt, .failed))
            }
        } else {
            let delivery = rules.deliveryLatency.sample(using: &random)
            words.append((delivery + receiptAt, .delivered))
            scheduleArrival(key: key, send: send, receiver: receiver, rules: rules, random: &random, latency: delivery)
        }
        if random.chance(rules.duplicateReceiptRate), let last = words.last { words.append((last.delay + 0.05, last.status)) }
        if random.chance(rules.outOfOrderReceiptRate), let last = words.last { words.append((last.delay + 0.05, .pending)) }
        for word in words {
            scheduleReceipt(key: key, send: send, messageID: messageID, word: word.status, after: word.delay)
        }
        return send.twilio ? twilioAccepted(messageID: messageID, send: send) : genericAccepted(messageID: messageID, number: number)
    }

    enum ParsedSend {
        case send(Send)
        case refuse(HTTPResponse)
    }

    func parseSend(_ request: HTTPRequest) -> ParsedSend {
        let path = request.path
        if path.hasSuffix("/Messages.json"), let accounts = path.range(of: "/2010-04-01/Accounts/") {
            let sid = String(path[accounts.upperBound...].prefix { $0 != "/" })
            guard let route = configuration.routes.first(where: { $0.provider == .twilio && $0.credentials["account_sid"]?.reveal() == sid }) else {
                return .refuse(twilioError(status: 404, code: 20404, message: "The requested resource was not found"))
            }
            let expected = "Basic " + Data("\(sid):\(route.credentials["auth_token"]?.reveal() ?? "")".utf8).base64EncodedString()
            guard request.headers["Authorization"] == expected else {
                return .refuse(twilioError(status: 401, code: 20003, message: "Authenticate"))
            }
            let fields = Dictionary(PercentEncoding.formFields(String(decoding: request.body, as: UTF8.self)).map { ($0.name, $0.value) },
                                    uniquingKeysWith: { first, _ in first })
            guard let to = fields["To"], let body = fields["Body"] else {
                return .refuse(twilioError(status: 400, code: 21604, message: "A 'To' and a 'Body' are required"))
            }
            return .send(Send(route: route, to: to, from: fields["From"] ?? "", body: body,
                                 statusCallback: fields["StatusCallback"].flatMap(URL.init(string:)), twilio: true))
        }
        guard let route = configuration.routes.first(where: { route in
            route.provider == .http && route.http.flatMap { URL(string: $0.url)?.path } == path
        }), let specification = route.http else {
            return .refuse(.error(.notFound, "no simulated API at \(path)"))
        }
        if let secret = route.secret, let header = specification.headers.first(where: { $0.value.contains("{secret}") }) {
            let expected = header.value.replacingOccurrences(of: "{secret}", with: secret.reveal())
            guard request.headers[header.key] == expected else { return .refuse(.error(.unauthorized, "bad credentials")) }
        }
        guard let object = JSONPath.decode(Data(request.body)) as? [String: Any], case .object(let template)? = specification.json else {
            return .refuse(.error(.badRequest, "expected a JSON body"))
        }
        func field(_ placeholder: String) -> String? {
            template.first { if case .string(placeholder) = $0.1 { return true } else { return false } }
                .flatMap { object[$0.0] as? String }
        }
        guard let to = field("{to}"), let body = field("{body}") else { return .refuse(.error(.badRequest, "to and text are required")) }
        return .send(Send(route: route, to: to, from: field("{from}") ?? route.from, body: body, statusCallback: nil, twilio: false))
    }
}

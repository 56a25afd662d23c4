import Foundation
import LastmileBase
import LastmileConfig
import LastmileProviders
import LastmileCore
import LastmileDaemon
import LastmileSimulator
import LastmileStore
import LastmileTestSupport
import Synchronization
import Testing

extension WholeSystemSuites {
    /// The whole pipeline over loopback HTTP against the simulated network with every
    /// fault switched on: each verdict must equal what really happened.
    @Suite(.serialized) struct GroundTruthTests {
        static let threshold = 1.0
        static let deadline = 2.0

        static func config(simulator: UInt16, probesEnabled: Bool) -> String {
            var text = """
                [server]
                listen = "127.0.0.1:0"
                public_url = "http://127.0.0.1:\(simulator)"

                [defaults]
                interval = "90ms"
                jitter = "10ms"
                threshold = "1s"
                deadline = "2s"

                [[route]]
                name = "tw"
                provider = "twilio"
                api_url = "http://127.0.0.1:\(simulator)/twilio"
                from = "+15005550006"
                concurrency = 64
                credentials = { account_sid = "ACtruth", auth_token = "truth-token" }

                [[route]]
                name = "api"
                provider = "http"
                from = "LASTMILE"
                concurrency = 64
                secret = "api-secret"
                hook_secret = "receipt-secret"

                [route.request]
                url = "http://127.0.0.1:\(simulator)/api/v1/send_sms"
                headers = { Authorization = "Bearer {secret}" }
                json = { to = "{to}", text = "{body}", sender = "{from}" }

                [route.response]
                message_id = "messages.0.bx_message_id"
                status = "messages.0.status"
                accepted = ["QUEUED"]

                [route.receipt]
                delivered = ["DELIVRD"]
                failed = ["UNDELIV"]

                [[receiver]]
                name = "phone-a"
                number = "+15551230001"
                carrier = "Carrier A"
                source = "android-sms-gateway"
                secret = "phone-a-secret"

                [[receiver]]
                name = "phone-b"
                number = "+15551230002"
                carrier = "Carrier B"
                source = "android-sms-gateway"
                secret = "phone-secret"

                [[receiver]]
                name = "phone-skewed"
                number = "+15551230003"
                carrier = "Carrier B"
                source = "android-sms-gateway"
                secret = "phone-skewed-secret"
                clock = "receiver"

                """
            for route in ["tw", "api"] {
                text += """

                    [[probe]]
                    name = "\(route)-all"
                    route = "\(route)"
                    receivers = ["phone-a", "phone-b", "phone-skewed"]
                    enabled = \(probesEnabled)

                    """
            }
            return text
        }

        /// Every fault at once; latencies kept clear of the threshold and the deadline so the
        /// few milliseconds HTTP adds cannot move a canary across them.
        static func behavior(route: String, carrier: String) -> RouteBehavior {
            var rules = RouteBehavior()
            rules.rejectRate = 0.04
            rules.errorRate = 0.04
            rules.errorButDeliveredRate = 0.3
            rules.apiLatency = .mixture(.uniform(0.001, 0.01), .uniform(0.1, 0.2), rate: 0.05)
            rules.deliveryLatency = .mixture(.uniform(0.05, 0.6), .mixture(.uniform(1.3, 1.6), .uniform(2.3, 2.6), rate: 0.3), rate: 0.3)
            rules.dropRate = 0.15
            rules.falseReceiptRate = 0.4
            rules.honestFailureRate = 0.5
            rules.duplicateReceiptRate = 0.1
            rules.outOfOrderReceiptRate = 0.1
            rules.deliverTwiceRate = 0.05
            rules.alterBodyRate = 0.05
            rules.alterSenderRate = 0.05
            rules.phoneClockSkew = carrier == "Carrier B" ? -30 : 0
            rules.downWindows = [4.0...4.4]
            return rules
        }

        static func expectedVerdict(_ truth: MessageTruth) -> Verdict {
            if let latency = truth.latency, latency <= deadline {
                return latency <= threshold ? .delivered : .late
            }
            switch truth.outcome {
            case .rejected: return .rejected
            case .error: return .sendError
            default: return .lost
            }
        }

        @Test func everyVerdictEqualsTheTruth() async throws {
            let directory = try TemporaryDirectory()
            let configText = Mutex("")
            // The simulator needs its port in the config; the config needs the simulator. Start it on a free port first.
            let bootstrap = ConfigLoader.load(text: Array(Self.config(simulator: 1, probesEnabled: true).utf8), path: "truth.toml", catalogue: .standard,
                                              environment: [:])
            let shape = try #require(bootstrap.configuration, "\(bootstrap.diagnostics)")
            let probeNetwork = SimulatedNetwork(configuration: shape, seed: 7, behavior: Self.behavior)
            let port = try probeNetwork.start()
            await probeNetwork.stop()
            configText.withLock { $0 = Self.config(simulator: port, probesEnabled: true) }
            let load: @Sendable () -> ConfigLoadResult = {
                ConfigLoader.load(text: Array(configText.withLock { $0 }.utf8), path: "truth.toml", catalogue: .standard, environment: [:])
            }
            let configuration = try #require(load().configuration)
            let network = SimulatedNetwork(configuration: configuration, seed: 7, behavior: Self.behavior)
            #expect(try network.start(port: port) == port)

            let daemon = try await Daemon.start(Daemon.Options(
                loadConfiguration: load, logger: Logger(minimum: .error), notifier: SystemdNotifier(environment: [:]),
                storePathOverride: directory.path("truth.db")))
            network.connect(lastmile: URL(string: "http://\(daemon.listenAddress)")!)

            // Send until 2,000 canaries have started, then switch the probes off and let everything settle.
            let started = Date()
            let target = 2_000
            while try await daemon.canaries(since: started, limit: 5_000).count < target && Date().timeIntervalSince(started) < 90 {
                try await Task.sleep(for: .milliseconds(250))
            }
            configText.withLock { $0 = Self.config(simulator: port, probesEnabled: false) }
            #expect(await daemon.reload())
            let quiet = ContinuousClock.now
            while ContinuousClock.now - quiet < .seconds(20) {
                try await Task.sleep(for: .milliseconds(250))
                if ContinuousClock.now - quiet > .seconds(4), network.pendingReports == 0, await daemon.engine.inFlightCount == 0 { break }
            }
            try await Task.sleep(for: .milliseconds(300))
            await daemon.stop(grace: 5)
            await network.stop()

            let store = try CanaryStore(path: directory.path("truth.db"))
            defer { store.beginClosing() }
            let canaries = try store.canaries(matching: CanaryQuery(limit: 10_000))
            let truths = network.truth.all
            #expect(canaries.count >= target)
            #expect(truths.count == canaries.count, "every canary reached the network once")
            let byToken = Dictionary(truths.compactMap { truth in truth.token.map { ($0, truth) } }, uniquingKeysWith: { first, _ in first })

            var mismatches: [String] = []
            var latencyErrors: [Double] = []
            var negativeFlags = 0
            var counts: [Verdict: Int] = [:]
            for canary in canaries {
                guard let truth = byToken[canary.plan.token] else {
                    mismatches.append("\(canary.id): the network never saw it (\(canary.submit?.reason ?? "no answer"))")
                    continue
                }
                let expected = Self.expectedVerdict(truth)
                counts[expected, default: 0] += 1
                // Within the measuring tolerance of the threshold or deadline either side is right: the
                // truth's own stamp is taken in user space and may sit a few milliseconds off.
                let onEdge = truth.latency.map { abs($0 - Self.threshold) < 0.010 || abs($0 - Self.deadline) < 0.010 } ?? false
                if canary.verdict != expected && !(onEdge && canary.verdict.map { [.delivered, .late, .lost].contains($0) } == true) {
                    mismatches.append("\(canary.plan.token): \(canary.verdict?.rawValue ?? "unsettled") but truth is \(expected.rawValue) "
                                      + "(outcome \(truth.outcome), latency \(truth.latency.map { String($0) } ?? "-"))")
                }
                if canary.verdict?.arrived == true, let measured = canary.arrival?.latency, let actual = truth.latency {
                    latencyErrors.append(abs(measured - actual))
                }
                if canary.verdict == .lost && truth.delivered == false && truth.outcome == .accepted {
                    let claim: CanaryFact = truth.falseReceipt ? .falseReceipt
                        : truth.receiptsPosted.contains("failed") ? .honestFailure : .silence
                    if !canary.facts.contains(claim) { mismatches.append("\(canary.plan.token): expected \(claim) in \(canary.facts)") }
                }
                if canary.verdict?.arrived == true {
                    if truth.alteredBody != canary.facts.contains(.alteredBody) { mismatches.append("\(canary.plan.token): altered body") }
                    if truth.alteredSender != canary.facts.contains(.alteredSender) { mismatches.append("\(canary.plan.token): altered sender") }
                    if truth.outcome == .error && !canary.facts.contains(.apiErrorButArrived) {
                        mismatches.append("\(canary.plan.token): API error but arrived not recorded")
                    }
                    if canary.plan.receiver == "phone-skewed" {
                        negativeFlags += canary.facts.contains(.negativeLatency) ? 1 : 0
                    }
                }
                if truth.arrivalsPosted > 0, (truth.latency ?? 0) > Self.deadline, !canary.facts.contains(.arrivedAfterSettlement) {
                    mismatches.append("\(canary.plan.token): arrival after settlement not recorded")
                }
            }
            #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, e.g. \(mismatches.prefix(5))")
            for verdict in Verdict.allCases { #expect((counts[verdict] ?? 0) > 10, "too few \(verdict) cases to mean anything: \(counts)") }
            let worst = latencyErrors.max() ?? 0
            // The truth's own timestamps are taken in user space by the simulator, on a machine running
            // other tests at the same time, so a thread scheduled late widens them; 50 ms leaves room
            // for that and still catches a wrong clock, whose errors are the network's whole seconds.
            #expect(worst < 0.050, "worst latency error \(worst * 1000) ms over \(latencyErrors.count) arrivals")
            #expect(negativeFlags > 0)

            // Every report posted was stored once; duplicates and unmatched are all accounted for.
            let rows = try store.rowCounts()
            #expect(rows.arrivals == truths.reduce(0) { $0 + $1.arrivalsPosted })
            #expect(rows.receipts == truths.reduce(0) { $0 + $1.receiptsPosted.count })
            let unmatched = try store.unmatchedCounts()
            let afterSettlement = truths.filter { ($0.latency ?? 0) > Self.deadline }.count
            #expect(unmatched[.afterSettlement, default: 0] == afterSettlement)
            #expect(unmatched[.unknownMessageID, default: 0] == 0, "receipts that beat the API's answer were all claimed")
            let duplicateArrivals = truths.reduce(0) { $0 + max(0, $1.arrivalsPosted - 1) }
            let duplicateReceipts = truths.reduce(0) { total, truth in
                total + truth.receiptsPosted.count - Set(truth.receiptsPosted).count
            }
            #expect(canaries.reduce(0) { $0 + $1.duplicateCount } == duplicateArrivals + duplicateReceipts)
        }
    }
}

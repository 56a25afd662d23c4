import Foundation
import HTTP
import LastmileBase
import LastmileConfig
import LastmileCore
import LastmileProviders

/// Sends one canary: records it as submitting, calls the provider once, records the answer.
public struct CanarySender: Sendable {
    let engine: CanaryEngine
    let limits: SendLimits
    let client: HTTPClient
    let metrics: DaemonMetrics
    let logger: Logger
    let clock: any WallClock

    public init(engine: CanaryEngine, limits: SendLimits, client: HTTPClient, metrics: DaemonMetrics, logger: Logger,
                clock: any WallClock) {
        self.engine = engine
        self.limits = limits
        self.client = client
        self.metrics = metrics
        self.logger = logger
        self.clock = clock
    }

    /// Sends a canary from `probe` to `receiverName`, unless a limit says no (which is counted and logged).
    /// `scheduledAt` is when the schedule wanted it sent, kept for its trace.
    public func send(probe: ProbeConfiguration, receiverName: String, context: DaemonContext, scheduledAt: Date? = nil) async {
        guard let route = context.routes[probe.route], let receiver = context.receivers[receiverName] else { return }
        guard let adapter = route.adapter else {
            skip(route: probe.route, probe: probe.name, reason: .noAdapter)
            return
        }
        if let refusal = limits.acquire(route: probe.route, concurrency: route.configuration.concurrency,
                                        dailyCap: route.configuration.dailyCap, at: clock.now) {
            skip(route: probe.route, probe: probe.name, reason: refusal)
            return
        }
        // The route's concurrency counts calls to the provider, not the wait to record an answer.
        let called = await call(adapter, probe: probe, route: route, receiver: receiver, receiverName: receiverName, context: context,
                                scheduledAt: scheduledAt)
        limits.release(route: probe.route)
        guard let (plan, answer, requestStartedAt) = called else { return }
        await record(answer, canaryID: plan.id, requestStartedAt: requestStartedAt, waitingAtMost: .seconds(plan.deadline))
    }

    /// Records the canary as submitting and calls the provider once; nil when the store did not
    /// record it (then nothing is sent).
    private func call(_ adapter: any SendAdapter, probe: ProbeConfiguration, route: DaemonContext.Route, receiver: DaemonContext.Receiver,
                      receiverName: String, context: DaemonContext,
                      scheduledAt: Date?) async -> (plan: CanaryPlan, answer: SubmitAnswer, requestStartedAt: Date?)? {
        let token = Token.random()
        let plan = CanaryPlan(id: UUID().uuidString.lowercased(), token: token, route: probe.route,
                              carrier: receiver.configuration.carrier, probe: probe.name, receiver: receiverName,
                              to: receiver.configuration.number, from: route.configuration.from,
                              body: probe.body.render(token: token), threshold: probe.threshold, deadline: probe.deadline,
                              latencyClock: receiver.configuration.clock, scheduledAt: scheduledAt)
        do {
            try await engine.start(plan)
        } catch {
            logger.error("canary not sent: the store did not record it", [("canary", plan.id), ("route", plan.route),
                                                                         ("error", "\(error)")])
            metrics.countSkipped(route: probe.route, reason: .storeError)
            return nil
        }
        let message = OutboundMessage(canaryID: plan.id, token: token, to: plan.to, from: plan.from, body: plan.body,
                                      receiptCallback: context.receiptCallback(route: plan.route))
        let answer: SubmitAnswer
        var requestStartedAt: Date?
        do {
            let request = try adapter.request(for: message)
            requestStartedAt = clock.now
            do {
                let response = try await client.send(request)
                requestStartedAt = clock.instant(fromReal: response.startedAt) ?? response.startedAt
                answer = adapter.recordedAnswer(status: response.status, body: response.body)
            } catch {
                answer = adapter.answer(failure: error)
            }
        } catch {
            answer = SubmitAnswer(outcome: .error, reason: error.description)
        }
        logger.info("canary sent", [("canary", plan.id), ("token", token.description), ("route", plan.route),
                                    ("carrier", plan.carrier), ("result", answer.outcome.rawValue),
                                    ("message_id", answer.providerMessageID ?? "-")]
                    + (answer.reason.map { [("reason", $0)] } ?? []))
        return (plan, answer, requestStartedAt)
    }

    /// Records the API's answer, waiting out a recovery of the engine (after a failed write, or
    /// as a new leader takes over) for at most `patience`: an answer thrown away would leave
    /// the canary `unknown` and settle it as lost, whatever the API said. Another error (its own
    /// commit failing) is tried again twice at most, since each failure sends the engine into
    /// recovery once more. `pause` waits between attempts.
    func record(_ answer: SubmitAnswer, canaryID: String, requestStartedAt: Date?, waitingAtMost patience: Duration,
                pause: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) async {
        let giveUpAt = ContinuousClock.now + patience
        var interval = Duration.milliseconds(100)
        var attempts = 0, otherFailures = 0
        while true {
            do {
                try await engine.answer(canaryID: canaryID, answer, requestStartedAt: requestStartedAt)
                if attempts > 0 { logger.notice("the API's answer stored", [("canary", canaryID), ("attempts", String(attempts + 1))]) }
                return
            } catch {
                attempts += 1
                if !(error is EngineRecovering) { otherFailures += 1 }
                guard otherFailures <= 2, ContinuousClock.now + interval < giveUpAt, !Task.isCancelled else {
                    logger.error("the API's answer was not stored", [("canary", canaryID), ("error", "\(error)")])
                    return
                }
                if attempts == 1 { logger.warning("the API's answer not stored yet; trying again", [("canary", canaryID), ("error", "\(error)")]) }
                do { try await pause(interval) } catch { continue }
                interval = min(interval * 2, .seconds(2))
            }
        }
    }

    private func skip(route: String, probe: String, reason: SkipReason) {
        metrics.countSkipped(route: route, reason: reason)
        logger.warning("canary skipped", [("route", route), ("probe", probe), ("reason", reason.rawValue)])
    }
}

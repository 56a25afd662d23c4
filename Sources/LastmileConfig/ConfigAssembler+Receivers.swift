import Foundation
import LastmileCore
import TOML

extension ConfigAssembler {
    func readReceiver(_ reader: TableReader) -> ReceiverConfiguration? {
        let name = name(reader)
        if let name { reader.context = "receiver \"\(name.value)\"" }
        let number = reader.string("number", required: true)
        if let number, !SenderID.isE164(number.value) {
            log.error("\(reader.context): number = \"\(number.value)\" must be an E.164 number such as +15551230001",
                      at: number.location)
        }
        let carrier = reader.string("carrier", required: true)
        let country = reader.string("country")
        let source = reader.choice("source", catalogue.sources.map(\.kind.rawValue), required: true)
            .flatMap { catalogue.source(named: $0.value) }
        let clock = reader.choice("clock", LatencyClock.allCases.map(\.rawValue)).flatMap { LatencyClock(rawValue: $0.value) }
        let secret = secret(reader, "secret")
        let spool = reader.string("spool")
        let auth = hookAuth(reader)
        if secret == nil, reader.table.entry("secret") != nil, let name { unresolvedHookSecrets.insert("receiver:\(name.value)") }
        if let source {
            if source.isSpool && spool == nil {
                log.error("\(reader.context): source \(source.kind) reads a spool folder; set spool = \"/path\"",
                          at: reader.location)
            }
            if !source.isSpool, let spool {
                log.error("\(reader.context): spool is only for sources that read a spool folder ("
                          + catalogue.sources.filter(\.isSpool).map(\.kind.rawValue).joined(separator: ", ") + ")", at: spool.location)
            }
        }
        reader.reportUnknownKeys()
        guard let name, let number, let carrier, let source else { return nil }
        return ReceiverConfiguration(name: name.value, number: number.value, carrier: carrier.value, country: country?.value,
                                     sourceTraits: source, clock: clock ?? .ingest, secret: secret, spool: spool?.value,
                                     location: name.location, auth: auth?.value ?? .required, authLocation: auth?.location)
    }

    func readProbe(_ reader: TableReader, defaults: ProbeDefaults, defaultsLocation: [String: SourceLocation],
                   routes: [String], receivers: [String]) -> ProbeConfiguration? {
        let name = name(reader)
        if let name { reader.context = "probe \"\(name.value)\"" }
        let route = reader.string("route", required: true)
        if let route, !routes.contains(route.value) {
            log.error("\(reader.context): no route is named \"\(route.value)\"" + Suggestion.hint(for: route.value, among: routes),
                      at: route.location)
        }
        let receiverNames = reader.stringArray("receivers", required: true)
        if let receiverNames, receiverNames.isEmpty {
            log.error("\(reader.context): receivers must name at least one receiver", at: reader.location(ofKey: "receivers"))
        }
        for receiver in receiverNames ?? [] where !receivers.contains(receiver.value) {
            log.error("\(reader.context): no receiver is named \"\(receiver.value)\""
                      + Suggestion.hint(for: receiver.value, among: receivers), at: receiver.location)
        }
        let interval = reader.duration("interval", shortest: ProbeConfiguration.shortestInterval)
        let jitter = reader.duration("jitter", allowZero: true)
        let threshold = reader.duration("threshold")
        let deadline = reader.duration("deadline")
        let bodyText = reader.string("body")
        let enabled = reader.boolean("enabled")
        reader.reportUnknownKeys()

        let effectiveInterval = interval?.value ?? defaults.interval
        let effectiveJitter = jitter?.value ?? defaults.jitter
        let effectiveThreshold = threshold?.value ?? defaults.threshold
        let effectiveDeadline = deadline?.value ?? defaults.deadline
        let intervalAt = interval?.location ?? defaultsLocation["interval"] ?? reader.location
        if effectiveJitter >= effectiveInterval {
            log.error("\(reader.context): jitter (\(ConfigDuration.format(effectiveJitter))) must be shorter than the interval "
                      + "(\(ConfigDuration.format(effectiveInterval)))", at: jitter?.location ?? defaultsLocation["jitter"] ?? intervalAt)
        }
        if effectiveDeadline <= effectiveThreshold {
            log.error("\(reader.context): the deadline (\(ConfigDuration.format(effectiveDeadline))) must be longer than the "
                      + "threshold (\(ConfigDuration.format(effectiveThreshold)))",
                      at: deadline?.location ?? threshold?.location ?? defaultsLocation["deadline"] ?? reader.location)
        }
        let bodyLocation = bodyText?.location ?? defaultsLocation["body"] ?? reader.location
        var body: BodyTemplate?
        do {
            body = try BodyTemplate(bodyText?.value ?? defaults.body)
            for warning in body?.warnings ?? [] { log.warning("\(reader.context): body has \(warning)", at: bodyLocation) }
        } catch {
            log.error("\(reader.context): \(error)", at: bodyLocation)
        }
        guard let name, let route, let receiverNames, let body else { return nil }
        return ProbeConfiguration(name: name.value, route: route.value, receivers: receiverNames.map(\.value),
                                  interval: effectiveInterval, jitter: effectiveJitter, threshold: effectiveThreshold,
                                  deadline: effectiveDeadline, body: body, enabled: enabled?.value ?? true,
                                  location: name.location)
    }
}

import Foundation
import LastmileCore
import TOML

extension ConfigAssembler {
    func readRoute(_ reader: TableReader) -> RouteConfiguration? {
        let name = name(reader)
        if let name { reader.context = "route \"\(name.value)\"" }
        let provider = reader.choice("provider", catalogue.providers.map(\.kind.rawValue), required: true)
            .flatMap { catalogue.provider(named: $0.value) }
        let apiURL = url(reader, "api_url")
        let from = reader.string("from", required: true)
        if let from, !SenderID.isValid(from.value) {
            log.error("\(reader.context): from = \"\(from.value)\" is not a sender id: use an E.164 number (+15005550006), "
                      + "a short code, or up to 11 letters and digits", at: from.location)
        }
        let dailyCap = reader.integer("daily_cap", minimum: 1)
        let concurrency = reader.integer("concurrency", minimum: 1)
        let price = reader.number("price_per_message")
        if let price, price.value < 0 {
            log.error("\(reader.context): price_per_message cannot be negative", at: price.location)
        }
        let currency = reader.string("currency")
        let apiSecret = self.secret(reader, "secret")
        let hookSecret = self.secret(reader, "hook_secret")
        if let hookSecret, !HookToken.isValid(hookSecret.reveal()) {
            log.error("\(reader.context): hook_secret may hold only letters, digits, '-', '_', '.' and '~': it travels in the "
                      + "callback URL providers call", at: reader.location(ofKey: "hook_secret"))
        }
        let auth = hookAuth(reader)
        if hookSecret == nil, reader.table.entry("hook_secret") != nil, let name { unresolvedHookSecrets.insert("route:\(name.value)") }
        var credentials: [String: Secret] = [:]
        if let provider {
            if provider.needsAPIURL, apiURL == nil, reader.table.entry("api_url") == nil {
                log.error("\(reader.context): provider \(provider.kind) needs api_url (its base URL differs per account or host)",
                          at: reader.location)
            }
            credentials = readCredentials(reader, provider: provider)
        } else {
            _ = reader.node("credentials")
        }
        var http: HTTPRouteSpecification?
        if provider?.describesItsShape == true {
            http = readHTTPSpecification(reader)
        } else {
            for key in ["request", "response", "receipt"] where reader.table.entry(key) != nil {
                _ = reader.node(key)
                log.error("\(reader.context): [route.\(key)] is only for providers that describe their own API, such as provider = \"http\"", at: reader.location(ofKey: key))
            }
        }
        reader.reportUnknownKeys()
        guard let name, let provider, let from else { return nil }
        return RouteConfiguration(
            name: name.value, traits: provider, apiURL: apiURL, from: from.value, dailyCap: dailyCap?.value,
            concurrency: concurrency?.value ?? 4, credentials: credentials, secret: apiSecret, hookSecret: hookSecret,
            auth: auth?.value ?? .required, pricePerMessage: price?.value, currency: currency?.value ?? "USD", http: http,
            location: name.location, authLocation: auth?.location)
    }

    func readCredentials(_ reader: TableReader, provider: ProviderTraits) -> [String: Secret] {
        let required = provider.requiredCredentials
        guard let table = reader.table("credentials", context: "\(reader.context) credentials", required: !required.isEmpty) else {
            return [:]
        }
        var credentials: [String: Secret] = [:]
        for key in required {
            if let value = table.secret(key, required: true, environment: environment, baseDirectory: directory) {
                credentials[key] = value.value
            }
        }
        for key in provider.optionalCredentials {
            if let value = table.secret(key, environment: environment, baseDirectory: directory) {
                credentials[key] = value.value
            }
        }
        table.reportUnknownKeys()
        return credentials
    }

    func readHTTPSpecification(_ reader: TableReader) -> HTTPRouteSpecification? {
        let request = reader.table("request", context: "\(reader.context) [route.request]", required: true)
        let response = reader.table("response", context: "\(reader.context) [route.response]")
        let receipt = reader.table("receipt", context: "\(reader.context) [route.receipt]", required: true)
        var specification = HTTPRouteSpecification(
            method: "POST", url: "", headers: [:], json: nil, form: nil, responseMessageID: nil, responseStatus: nil,
            accepted: [], receiptMessageID: "message_id", receiptStatus: "status", receiptErrorCode: nil,
            delivered: [], failed: [])
        var complete = request != nil && receipt != nil
        if let request {
            specification.method = request.choice("method", ["GET", "POST", "PUT"])?.value ?? "POST"
            if let url = request.string("url", required: true) {
                let probe = url.value.replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: "")
                let parsed = URL(string: probe)
                // A host is required: without one the request fails at every send, with the URL
                // (and any secret filled into it) in the reason that is logged and stored.
                if !["http", "https"].contains(parsed?.scheme?.lowercased() ?? "") || parsed?.host?.isEmpty != false {
                    log.error("\(request.context): url = \"\(url.value)\" is not an http(s) URL with a host", at: url.location)
                    complete = false
                }
                specification.url = url.value
            } else {
                complete = false
            }
            if let headers = request.table("headers") {
                for entry in headers.table.entries {
                    if let value = headers.string(entry.key) { specification.headers[entry.key] = value.value }
                }
            }
            if let node = request.node("json") {
                specification.json = jsonTemplate(node, reader: request)
            }
            if let form = request.table("form") {
                var fields: [String: String] = [:]
                for entry in form.table.entries {
                    if let value = form.string(entry.key) { fields[entry.key] = value.value }
                }
                specification.form = fields
            }
            if specification.json != nil && specification.form != nil {
                log.error("\(request.context): give either json or form, not both", at: request.location)
            }
            request.reportUnknownKeys()
        }
        if let response {
            specification.responseMessageID = response.string("message_id")?.value
            specification.responseStatus = response.string("status")?.value
            specification.accepted = response.stringArray("accepted")?.map(\.value) ?? []
            if !specification.accepted.isEmpty && specification.responseStatus == nil {
                log.error("\(response.context): \"accepted\" needs \"status\", the path of the status in the answer",
                          at: response.location(ofKey: "accepted"))
            }
            response.reportUnknownKeys()
        }
        if let receipt {
            specification.receiptMessageID = receipt.string("message_id")?.value ?? "message_id"
            specification.receiptStatus = receipt.string("status")?.value ?? "status"
            specification.receiptErrorCode = receipt.string("error_code")?.value
            let format = receipt.table["format"]
            let fieldsFormat: Bool
            if case .string(let text)? = format { fieldsFormat = text == "fields" } else { fieldsFormat = true }
            specification.delivered = receipt.stringArray("delivered", required: fieldsFormat)?.map(\.value) ?? []
            specification.failed = receipt.stringArray("failed")?.map(\.value) ?? []
            if let format = receipt.choice("format", HTTPRouteSpecification.ReceiptFormat.allCases.map(\.rawValue)) {
                specification.receiptFormat = HTTPRouteSpecification.ReceiptFormat(rawValue: format.value) ?? .fields
            }
            receipt.reportUnknownKeys()
        }
        return complete ? specification : nil
    }

    func jsonTemplate(_ node: TOMLNode, reader: TableReader) -> JSONTemplate? {
        switch node.value {
        case .string(let text): return .string(text)
        case .integer(let number): return .integer(number)
        case .float(let number): return .number(number)
        case .boolean(let flag): return .boolean(flag)
        case .array(let items): return .array(items.compactMap { jsonTemplate($0, reader: reader) })
        case .table(let table):
            return .object(table.entries.compactMap { entry in jsonTemplate(entry.node, reader: reader).map { (entry.key, $0) } })
        default:
            log.error("\(reader.context): json cannot hold \(article(node.value.typeName))", at: reader.location(of: node))
            return nil
        }
    }
}

/// Checks sender ids and receiving numbers.
enum SenderID {
    /// E.164 (`+` and 8 to 15 digits), a short code (3 to 8 digits), or an
    /// alphanumeric id of up to 11 letters, digits and spaces with at least one letter.
    static func isValid(_ text: String) -> Bool {
        if isE164(text) { return true }
        if (3...8).contains(text.count) && text.allSatisfy({ $0.isASCII && $0.isNumber }) { return true }
        return (1...11).contains(text.count)
            && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == " ") }
            && text.contains { $0.isLetter }
    }

    static func isE164(_ text: String) -> Bool {
        guard text.hasPrefix("+") else { return false }
        let digits = text.dropFirst()
        return (8...15).contains(digits.count) && digits.allSatisfy { $0.isASCII && $0.isNumber } && digits.first != "0"
    }
}

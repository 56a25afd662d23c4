import Foundation
import TOML

extension TableReader {
    func string(_ key: String, required: Bool = false) -> Located<String>? {
        guard let node = node(key) else {
            if required { missing(key) }
            return nil
        }
        guard case .string(let text) = node.value else {
            wrongType(key, node, expected: "a string")
            return nil
        }
        return Located(text, at: location(of: node))
    }

    /// A string that must be one of `choices`.
    func choice(_ key: String, _ choices: [String], required: Bool = false) -> Located<String>? {
        guard let text = string(key, required: required) else { return nil }
        guard choices.contains(text.value) else {
            log.error("\(context): \"\(key)\" must be one of \(choices.joined(separator: ", ")), not \"\(text.value)\""
                      + Suggestion.hint(for: text.value, among: choices), at: text.location)
            return nil
        }
        return text
    }

    func integer(_ key: String, required: Bool = false, minimum: Int64? = nil) -> Located<Int>? {
        guard let node = node(key) else {
            if required { missing(key) }
            return nil
        }
        guard case .integer(let number) = node.value else {
            wrongType(key, node, expected: "an integer")
            return nil
        }
        if let minimum, number < minimum {
            log.error("\(context): \"\(key)\" must be at least \(minimum), not \(number)", at: location(of: node))
            return nil
        }
        return Located(Int(number), at: location(of: node))
    }

    /// A number; integers are accepted where a float is expected.
    func number(_ key: String, required: Bool = false) -> Located<Double>? {
        guard let node = node(key) else {
            if required { missing(key) }
            return nil
        }
        switch node.value {
        case .float(let number): return Located(number, at: location(of: node))
        case .integer(let number): return Located(Double(number), at: location(of: node))
        default:
            wrongType(key, node, expected: "a number")
            return nil
        }
    }

    func boolean(_ key: String) -> Located<Bool>? {
        guard let node = node(key) else { return nil }
        guard case .boolean(let flag) = node.value else {
            wrongType(key, node, expected: "true or false")
            return nil
        }
        return Located(flag, at: location(of: node))
    }

    /// A duration written as text (`90s`, `1h30m`); must be positive, at least `shortest` if
    /// given, and at most `ConfigDuration.longest`.
    func duration(_ key: String, required: Bool = false, allowZero: Bool = false,
                  shortest: TimeInterval? = nil) -> Located<TimeInterval>? {
        guard let text = string(key, required: required) else { return nil }
        guard let seconds = ConfigDuration.parse(text.value) else {
            log.error("\(context): \"\(key)\" = \"\(text.value)\" is not a duration; write e.g. 500ms, 90s, 5m, 1h30m, 28d",
                      at: text.location)
            return nil
        }
        guard seconds > 0 || (allowZero && seconds == 0) else {
            log.error("\(context): \"\(key)\" must be longer than zero", at: text.location)
            return nil
        }
        if let shortest, seconds < shortest, !(allowZero && seconds == 0) {
            log.error("\(context): \"\(key)\" must be at least \(ConfigDuration.format(shortest))", at: text.location)
            return nil
        }
        guard seconds <= ConfigDuration.longest else {
            log.error("\(context): \"\(key)\" must be at most \(ConfigDuration.format(ConfigDuration.longest))", at: text.location)
            return nil
        }
        return Located(seconds, at: text.location)
    }

    func stringArray(_ key: String, required: Bool = false) -> [Located<String>]? {
        guard let node = node(key) else {
            if required { missing(key) }
            return nil
        }
        guard case .array(let elements) = node.value else {
            wrongType(key, node, expected: "an array of strings")
            return nil
        }
        var strings: [Located<String>] = []
        for element in elements {
            guard case .string(let text) = element.value else {
                log.error("\(context): every element of \"\(key)\" must be a string, not \(article(element.value.typeName))",
                          at: location(of: element))
                continue
            }
            strings.append(Located(text, at: location(of: element)))
        }
        return strings
    }

    /// A sub-table, read by its own reader.
    func table(_ key: String, context childContext: String? = nil, required: Bool = false) -> TableReader? {
        guard let node = node(key) else {
            if required { missing(key) }
            return nil
        }
        guard case .table(let child) = node.value else {
            wrongType(key, node, expected: "a table")
            return nil
        }
        return TableReader(child, context: childContext ?? "\(context).\(key)", file: file, log: log)
    }

    /// An array of tables (`[[route]]` or an array of inline tables).
    func tables(_ key: String) -> [TableReader] {
        guard let node = node(key) else { return [] }
        guard case .array(let elements) = node.value else {
            wrongType(key, node, expected: "an array of tables ([[\(key)]])")
            return []
        }
        return elements.enumerated().compactMap { offset, element in
            guard case .table(let child) = element.value else {
                log.error("\(context): every element of \"\(key)\" must be a table", at: location(of: element))
                return nil
            }
            return TableReader(child, context: "\(key)[\(offset)]", file: file, log: log)
        }
    }

    /// A secret: a string, `{ env = "NAME" }` or `{ file = "/path" }`, resolved now.
    func secret(_ key: String, required: Bool = false, environment: [String: String],
                baseDirectory: URL) -> Located<Secret>? {
        guard let node = node(key) else {
            if required { missing(key) }
            return nil
        }
        return resolveSecret(key, node: node, environment: environment, baseDirectory: baseDirectory)
    }

    func resolveSecret(_ key: String, node: TOMLNode, environment: [String: String], baseDirectory: URL) -> Located<Secret>? {
        let here = location(of: node)
        switch node.value {
        case .string(let value):
            guard !value.isEmpty else {
                log.error("\(context): secret \"\(key)\" is empty; an empty secret would match an empty token", at: here)
                return nil
            }
            return Located(Secret(value, source: .inline), at: here)
        case .table(let spec):
            let reader = TableReader(spec, context: "\(context).\(key)", file: file, log: log)
            let variable = reader.string("env")
            let path = reader.string("file")
            reader.reportUnknownKeys()
            switch (variable, path) {
            case let (variable?, nil):
                guard let value = environment[variable.value], !value.isEmpty else {
                    log.error("\(context): secret \"\(key)\" reads the environment variable \(variable.value), which is not set",
                              at: variable.location)
                    return nil
                }
                return Located(Secret(value, source: .environment(variable.value)), at: here)
            case let (nil, path?):
                let url = URL(fileURLWithPath: path.value, relativeTo: baseDirectory)
                let data: [UInt8]
                switch BoundedFile.read(url.path, limit: BoundedFile.secretLimit) {
                case .success(let bytes): data = bytes
                case .failure(let failure):
                    log.error("\(context): secret \"\(key)\" reads the file \(url.path), which \(failure.phrase)", at: path.location)
                    return nil
                }
                var value = String(decoding: data, as: UTF8.self)
                while value.hasSuffix("\n") || value.hasSuffix("\r") { value.removeLast() }
                guard !value.isEmpty else {
                    log.error("\(context): secret \"\(key)\" reads the file \(url.path), which is empty", at: path.location)
                    return nil
                }
                return Located(Secret(value, source: .file(url.path)), at: here)
            default:
                log.error("\(context): secret \"\(key)\" must be a string, { env = \"NAME\" } or { file = \"/path\" }", at: here)
                return nil
            }
        default:
            log.error("\(context): secret \"\(key)\" must be a string, { env = \"NAME\" } or { file = \"/path\" }", at: here)
            return nil
        }
    }
}

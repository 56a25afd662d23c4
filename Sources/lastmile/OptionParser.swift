/// Reads `--name VALUE`, `--name=VALUE` and `--flag` options.
struct OptionParser {
    private(set) var values: [String: String] = [:]
    private(set) var flags: Set<String> = []
    private(set) var positional: [String] = []

    /// Parses `arguments`; `valued` names options that take a value, `flagNames` those that do not.
    init(_ arguments: [String], valued: Set<String>, flagNames: Set<String> = []) throws(OptionError) {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--") else {
                positional.append(argument)
                continue
            }
            var name = String(argument.dropFirst(2))
            var value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            if valued.contains(name) {
                if value == nil {
                    guard index < arguments.count else { throw OptionError("--\(name) needs a value") }
                    value = arguments[index]
                    index += 1
                }
                values[name] = value
            } else if flagNames.contains(name), value == nil {
                flags.insert(name)
            } else {
                throw OptionError("unknown option --\(name)")
            }
        }
    }
}

struct OptionError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

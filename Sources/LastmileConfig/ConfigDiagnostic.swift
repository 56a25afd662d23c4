import TOML

/// One problem found in a configuration, with where it is.
public struct ConfigDiagnostic: Hashable, Sendable, CustomStringConvertible, Comparable {
    public enum Severity: String, Hashable, Sendable {
        case error
        case warning
    }

    public var severity: Severity
    public var file: String
    public var position: TOMLPosition
    public var message: String

    public init(_ severity: Severity, file: String, position: TOMLPosition, message: String) {
        self.severity = severity
        self.file = file
        self.position = position
        self.message = message
    }

    /// `file:line:column: error: message`, as compilers write it.
    public var description: String {
        "\(file):\(position.line):\(position.column): \(severity.rawValue): \(message)"
    }

    public static func < (lhs: ConfigDiagnostic, rhs: ConfigDiagnostic) -> Bool {
        (lhs.file, lhs.position.line, lhs.position.column, lhs.message) < (rhs.file, rhs.position.line, rhs.position.column, rhs.message)
    }
}

/// Where a value was written.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var position: TOMLPosition

    public init(file: String, position: TOMLPosition) {
        self.file = file
        self.position = position
    }

    public var description: String { "\(file):\(position)" }
}

/// Collects diagnostics while a configuration is read.
final class DiagnosticLog {
    private(set) var entries: [ConfigDiagnostic] = []

    func error(_ message: String, at location: SourceLocation) {
        entries.append(ConfigDiagnostic(.error, file: location.file, position: location.position, message: message))
    }

    func warning(_ message: String, at location: SourceLocation) {
        entries.append(ConfigDiagnostic(.warning, file: location.file, position: location.position, message: message))
    }

    var hasErrors: Bool { entries.contains { $0.severity == .error } }
}

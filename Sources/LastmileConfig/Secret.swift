import Foundation

/// Where a secret comes from, as written in the config.
public enum SecretSource: Hashable, Sendable, CustomStringConvertible {
    /// Written in the file itself.
    case inline
    /// An environment variable.
    case environment(String)
    /// A file's content (trailing newline removed).
    case file(String)

    public var description: String {
        switch self {
        case .inline: return "inline"
        case .environment(let name): return "env \(name)"
        case .file(let path): return "file \(path)"
        }
    }
}

/// A resolved secret. Its value is never printed: `description` and string
/// interpolation show only where it came from.
public struct Secret: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public let source: SecretSource
    private let storage: String

    public init(_ value: String, source: SecretSource) {
        self.storage = value
        self.source = source
    }

    /// The secret itself, for the one place that needs it (an HTTP header, an HMAC key).
    public func reveal() -> String { storage }

    public var description: String { "<secret from \(source)>" }
    public var debugDescription: String { description }
}

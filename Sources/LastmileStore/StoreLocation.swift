/// Where a store keeps its data: a SQLite file of its own, or a PostgreSQL database that
/// several instances share.
public enum StoreLocation: Sendable, Hashable, CustomStringConvertible {
    case file(String)
    /// A libpq connection URI: `postgresql://user@host:port/database`.
    case postgres(url: String)

    /// A PostgreSQL URI (`postgresql://` or `postgres://`) names a server; anything else a file.
    public init(_ text: String) {
        let lowered = text.lowercased()
        self = lowered.hasPrefix("postgresql://") || lowered.hasPrefix("postgres://") ? .postgres(url: text) : .file(text)
    }

    /// Whether several instances can share it.
    public var isShared: Bool {
        if case .postgres = self { return true }
        return false
    }

    var dialect: SQLDialect { isShared ? .postgres : .sqlite }

    /// The path, or the URI with any password masked, for logs.
    public var description: String {
        switch self {
        case .file(let path): return path
        case .postgres(let url): return Self.maskingPassword(in: url)
        }
    }

    /// `postgresql://user:secret@host/db` as `postgresql://user:***@host/db`; a `password=`
    /// parameter likewise.
    static func maskingPassword(in url: String) -> String {
        var text = url
        if let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].firstIndex(of: "@") {
            let credentials = text[scheme.upperBound..<at]
            if let colon = credentials.firstIndex(of: ":") {
                text.replaceSubrange(text.index(after: colon)..<at, with: "***")
            }
        }
        if let range = text.range(of: "password=") {
            let end = text[range.upperBound...].firstIndex(of: "&") ?? text.endIndex
            text.replaceSubrange(range.upperBound..<end, with: "***")
        }
        return text
    }
}

/// A name a configuration gives something of one kind: a send provider (`provider = "…"`) or an
/// arrival source (`source = "…"`). Which names exist, and what each needs, is the
/// `ProviderCatalogue`'s to say; each provider declares its own name.
public struct KindName<Kind>: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public init(_ name: String) {
        self.rawValue = name
    }

    public var description: String { rawValue }
}

/// The kind of send providers' names.
public enum SendProviderNames {}

/// The kind of arrival sources' names.
public enum ArrivalSourceNames {}

/// The name of a send provider, as a route's `provider` gives it.
public typealias ProviderKind = KindName<SendProviderNames>

/// The name of an arrival source, as a receiver's `source` gives it.
public typealias ArrivalSourceKind = KindName<ArrivalSourceNames>

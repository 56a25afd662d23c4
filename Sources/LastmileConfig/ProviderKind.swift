/// The name of a send provider, as a route's `provider` gives it. Which names exist, and what
/// each needs, is the `ProviderCatalogue`'s to say; the providers declare their own names.
public struct ProviderKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public init(_ name: String) {
        self.rawValue = name
    }

    public var description: String { rawValue }
}

/// The name of an arrival source, as a receiver's `source` gives it.
public struct ArrivalSourceKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public init(_ name: String) {
        self.rawValue = name
    }

    public var description: String { rawValue }
}

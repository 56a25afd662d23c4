extension Duration {
    /// Whole milliseconds, rounded toward zero: what `poll`, `epoll_wait` and SQL intervals take.
    public var wholeMilliseconds: Int64 { components.seconds * 1_000 + components.attoseconds / 1_000_000_000_000_000 }

    /// Seconds, with their fraction: what `Date` and `TimeInterval` arithmetic take.
    public var timeInterval: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

extension Duration {
    /// Whole milliseconds, rounded toward zero: what `poll`, `epoll_wait` and SQL intervals take.
    public var wholeMilliseconds: Int64 { components.seconds * 1_000 + components.attoseconds / 1_000_000_000_000_000 }
}

import Glibc

/// How the accept loop answers an error from `accept`: retry at once, wait and retry, or stop.
struct AcceptBackoff {
    enum Action: Equatable {
        case retryNow
        case retryLater
        case fatal
    }

    private var delay: UInt32 = 0

    /// Only errors that say the listening socket itself is gone end the loop. Linux also hands
    /// over a new connection's pending network errors (EPROTO, ENETDOWN, EHOSTUNREACH,
    /// EOPNOTSUPP, …): `accept(2)` says to retry them, and a listener of ours is always a stream.
    static func classify(_ code: Int32) -> Action {
        switch code {
        case EINTR, ECONNABORTED, EAGAIN: return .retryNow
        case EBADF, EINVAL, ENOTSOCK, EFAULT: return .fatal
        default: return .retryLater
        }
    }

    /// Microseconds to wait before the next attempt: 10 ms, doubling to one second.
    mutating func next() -> UInt32 {
        delay = delay == 0 ? 10_000 : min(delay * 2, 1_000_000)
        return delay
    }

    mutating func reset() { delay = 0 }
}

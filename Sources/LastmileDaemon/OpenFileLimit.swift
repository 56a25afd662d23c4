import Glibc

/// The process's limit on open files. systemd starts services with a soft limit of 1024, far
/// below what a listener facing the internet holds; the hard limit is the real ceiling.
public enum OpenFileLimit {
    /// Raises the soft limit to the hard one; the limits before and after, or nil when they cannot be read.
    public static func raiseToHardLimit() -> (before: UInt64, after: UInt64)? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        let before = UInt64(limit.rlim_cur)
        guard limit.rlim_cur < limit.rlim_max else { return (before, before) }
        limit.rlim_cur = limit.rlim_max
        guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return (before, before) }
        return (before, UInt64(limit.rlim_max))
    }
}

/// What `lastmile` exits with, the same for every command.
enum ExitStatus {
    /// It did what was asked.
    static let success: Int32 = 0
    /// It could not: an invalid configuration, an unreadable store, a daemon that failed.
    static let failure: Int32 = 1
    /// The command line was wrong: an unknown command or option, a missing or malformed value.
    static let usage: Int32 = 2
    /// `report --fail-on-breach`: an SLO was breached over the period.
    static let breached: Int32 = 3

    /// The table, for help texts and the man page.
    static let summary = "exit status: 0 success, 1 failure (invalid configuration, unreadable store, daemon error), "
        + "2 usage error, 3 an SLO breached (report --fail-on-breach)"
}

import LastmileConfig

extension OptionParser {
    /// The duration `--name` gives, nil when it is not given. It must be positive and at most
    /// `ConfigDuration.longest`, as durations in a configuration are: a longer one would
    /// overflow the clock's arithmetic.
    func positiveDuration(_ name: String, example: String) throws(OptionError) -> Double? {
        guard let text = values[name] else { return nil }
        guard let seconds = ConfigDuration.parse(text), seconds > 0 else {
            throw OptionError("--\(name) must be a duration such as \(example)")
        }
        guard seconds <= ConfigDuration.longest else {
            throw OptionError("--\(name) must be at most \(ConfigDuration.format(ConfigDuration.longest))")
        }
        return seconds
    }
}

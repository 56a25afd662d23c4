import Foundation

/// Durations written the way Prometheus writes them (`5m`, `1h30m`, `3d`): for window labels,
/// rule names and ranges, and alert text.
public enum CompactDuration {
    public static func text(_ seconds: TimeInterval) -> String {
        var remaining = Int(seconds.rounded())
        var text = ""
        for (suffix, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] where remaining >= size {
            text += "\(remaining / size)\(suffix)"
            remaining %= size
        }
        return text.isEmpty ? "0s" : text
    }
}

import Foundation

/// Durations written the way Prometheus writes them (`5m`, `1h30m`, `3d`): for window labels,
/// rule names and ranges, and alert text.
public enum CompactDuration {
    public static func text(_ seconds: TimeInterval) -> String {
        // Saturated, so no duration (infinite, or beyond what an Int counts) can trap here.
        var remaining = seconds.isNaN ? 0 : Int(min(max(seconds.rounded(), 0), 1e15))
        var text = ""
        for (suffix, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] where remaining >= size {
            text += "\(remaining / size)\(suffix)"
            remaining %= size
        }
        return text.isEmpty ? "0s" : text
    }
}

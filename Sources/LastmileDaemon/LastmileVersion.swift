/// The version reported in `lastmile_build_info` and `lastmile --version`.
public enum LastmileVersion {
    public static let current = "0.1.0"
}

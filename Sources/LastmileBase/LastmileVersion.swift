/// The version reported in the build-info metric and `lastmile --version`.
public enum LastmileVersion {
    public static let current = "0.1.0"
}

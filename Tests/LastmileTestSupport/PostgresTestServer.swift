import Foundation

/// The PostgreSQL server tests may use: `.ci/run` starts a throwaway one and names it in
/// `LASTMILE_TEST_POSTGRES_URL`; elsewhere, set it to a database the tests may write in.
public enum PostgresTestServer {
    public static var url: String? {
        ProcessInfo.processInfo.environment["LASTMILE_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether the tests run under CI, where a missing server is a failure rather than a reason to skip.
    public static var isRequired: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// A name no other test run uses, for rows and tables a test makes its own.
    public static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
    }
}

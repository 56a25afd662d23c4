import Foundation
import LastmileConfig
import LastmileProviders
import LastmileTestSupport
import TOML
import Testing

/// A valid configuration to break one line at a time.
enum ConfigFixtures {
    static let valid = """
        [server]
        listen = "127.0.0.1:9733"
        public_url = "https://probe.example.net"
        [defaults]
        threshold = "60s"
        deadline = "15m"

        [[route]]
        name = "us-longcode"
        provider = "twilio"
        from = "+15005550006"
        credentials = { account_sid = "AC123", auth_token = { env = "TWILIO_AUTH_TOKEN" } }

        [[receiver]]
        name = "tmo-1"
        number = "+15551230001"
        carrier = "T-Mobile US"
        source = "json"
        secret = "arrival-token"
        [[probe]]
        name = "us-longcode-tmo"
        route = "us-longcode"
        receivers = ["tmo-1"]
        interval = "2m"
        """

    static let environment = ["TWILIO_AUTH_TOKEN": "tw-secret-value-123"]

    /// Loads `text` as `lastmile.toml` in a fresh folder.
    /// Expects `section`, added to the valid configuration, to give one error containing
    /// `message`, located in the main file.
    static func expectOneLocatedError(in section: String, containing message: String) throws {
        let (result, directory) = try load(valid + "\n" + section + "\n")
        let error = try #require(result.errors.first, "\(result.diagnostics)")
        #expect(result.errors.count == 1, "\(result.errors)")
        #expect(error.message.contains(message), "\(error)")
        #expect(error.description.hasPrefix(directory.path("lastmile.toml") + ":"))
    }

    static func load(_ text: String, environment: [String: String] = environment,
                     files: [String: String] = [:]) throws -> (ConfigLoadResult, TemporaryDirectory) {
        let directory = try TemporaryDirectory()
        for (name, content) in files { try directory.write(name, content) }
        let path = try directory.write("lastmile.toml", text)
        return (ConfigLoader.load(path: path, catalogue: .standard, environment: environment), directory)
    }
}

extension ConfigLoadResult {
    /// `line:column message` for each error, for compact assertions.
    var errorSummaries: [String] { errors.map { "\($0.position) \($0.message)" } }
}

import Foundation
import LastmileConfig
import LastmileTestSupport
import Testing
import TOML

@Suite struct ConfigErrorTests {
    func errors(_ text: String, environment: [String: String] = ConfigFixtures.environment) throws -> [ConfigDiagnostic] {
        try ConfigFixtures.load(text, environment: environment).0.errors
    }

    func only(_ text: String, environment: [String: String] = ConfigFixtures.environment) throws -> ConfigDiagnostic {
        let found = try errors(text, environment: environment)
        #expect(found.count == 1, "\(found)")
        return try #require(found.first)
    }

    @Test func theFixtureIsValid() throws {
        let (result, _) = try ConfigFixtures.load(ConfigFixtures.valid)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let configuration = try #require(result.configuration)
        #expect(configuration.routes.map(\.name) == ["us-longcode"])
        #expect(configuration.probes.first?.interval == 120)
        #expect(configuration.probes.first?.deadline == 900)
        #expect(configuration.route(named: "us-longcode")?.credentials["auth_token"]?.reveal() == "tw-secret-value-123")
    }

    @Test func aGenericRouteURLNeedsASchemeAndAHost() throws {
        let path = BuiltProducts.projectRoot.appendingPathComponent("probes/http-api.toml").path
        let example = try String(contentsOfFile: path, encoding: .utf8)
        let environment = try ExampleConfigTests.environment(for: path)
        #expect(try errors(example, environment: environment).isEmpty)
        for url in ["http:/send?key={secret}", "ftp://api.example.com/send", "api.example.com/send"] {
            let error = try only(example.replacingOccurrences(of: "https://api.example.com/api/v1/send_sms", with: url), environment: environment)
            #expect(error.message.contains("is not an http(s) URL with a host"), "\(url): \(error)")
            #expect(error.position.line == 25)
        }
    }

    @Test func durationsOutsideWhatTheDaemonCanHonourAreRefusedAtTheirValue() throws {
        let interval = #"interval = "2m""#
        for (value, message) in [("1ms", "\"interval\" must be at least 10ms"),
                                 ("0.000000000000001ms", "\"interval\" must be at least 10ms"),
                                 ("10000000000000000000s", "\"interval\" must be at most 3660d"),
                                 (String(repeating: "9", count: 320) + "s", "is not a duration")] {
            let error = try only(ConfigFixtures.valid.replacingOccurrences(of: interval, with: #"interval = "\#(value)""#))
            #expect(error.message.contains(message), "\(value): \(error)")
            #expect(error.position == TOMLPosition(line: 24, column: 12), "\(value)")
        }
        // What used to trap while its error was written: a window, a threshold and a jitter of 1e19 seconds.
        for section in [#"[[slo]]\#nname = "x"\#nindicator = "delivery"\#nobjective = 0.99\#nwindow = "10000000000000000000s""#,
                        #"[defaults]\#njitter = "10000000000000000000s""#] {
            let found = try errors(ConfigFixtures.valid.replacingOccurrences(of: "[defaults]\n", with: "") + "\n" + section + "\n")
            #expect(found.contains { $0.message.contains("must be at most 3660d") }, "\(found)")
        }
        try ConfigFixtures.expectOneLocatedError(in: "[alerting]\nevaluation_interval = \"1ms\"", containing: "must be at least 100ms")
        try ConfigFixtures.expectOneLocatedError(in: "[[slo]]\nname = \"x\"\nindicator = \"delivery\"\nobjective = 0.99\nwindow = \"1ms\"",
                                                 containing: "\"window\" must be at least 1s")
        try ConfigFixtures.expectOneLocatedError(
            in: "[[alerting.tier]]\nseverity = \"page\"\nlong = \"1h\"\nshort = \"5m\"\nfactor = nan", containing: "factor must be a number greater than zero")
        // Zero is what pending_for is by default, so it may be written.
        #expect(try errors(ConfigFixtures.valid + "\n[alerting]\npending_for = \"0s\"\n").isEmpty)
    }

    @Test func errorsNameTheFile() throws {
        let (result, directory) = try ConfigFixtures.load(ConfigFixtures.valid + "\nbogus = 1\n")
        let error = try #require(result.errors.first)
        #expect(error.file == directory.path("lastmile.toml"))
        #expect(error.description.hasPrefix(directory.path("lastmile.toml") + ":25:1: error: "))
    }

    @Test func aTOMLSyntaxErrorHasItsLocation() throws {
        let error = try only(ConfigFixtures.valid.replacingOccurrences(of: "interval = \"2m\"", with: "interval = 2m"))
        #expect(error.position == TOMLPosition(line: 24, column: 12))
        #expect(error.message.contains("invalid number"))
    }

    @Test func unknownKeysSuggestTheClosestName() throws {
        let error = try only(ConfigFixtures.valid.replacingOccurrences(of: "listen = ", with: "lisen = "))
        #expect(error.position == TOMLPosition(line: 2, column: 1))
        #expect(error.message == "[server]: unknown key \"lisen\"; did you mean \"listen\"?")

        let section = try only(ConfigFixtures.valid + "\n[alertng]\nmin_events = 3\n")
        #expect(section.position == TOMLPosition(line: 25, column: 2))
        #expect(section.message.contains("did you mean \"alerting\"?"))

        let far = try only(ConfigFixtures.valid.replacingOccurrences(of: "carrier = ", with: "zzzzzzz = 1\ncarrier = "))
        #expect(far.message.contains("unknown key \"zzzzzzz\""))
        #expect(!far.message.contains("did you mean"))
    }

    @Test func wrongTypesPointAtTheValue() throws {
        let error = try only(ConfigFixtures.valid.replacingOccurrences(of: "from = \"+15005550006\"",
                                                                       with: "from = \"+15005550006\"\nconcurrency = \"4\""))
        #expect(error.position == TOMLPosition(line: 12, column: 15))
        #expect(error.message == "route \"us-longcode\": \"concurrency\" must be an integer, not a string")

        let array = try only(ConfigFixtures.valid.replacingOccurrences(of: "receivers = [\"tmo-1\"]", with: "receivers = [\"tmo-1\", 7]"))
        #expect(array.position == TOMLPosition(line: 23, column: 23))
        #expect(array.message.contains("every element of \"receivers\" must be a string"))
    }

    @Test func missingRequiredKeysPointAtTheirTable() throws {
        let error = try only(ConfigFixtures.valid.replacingOccurrences(of: "carrier = \"T-Mobile US\"\n", with: ""))
        #expect(error.position == TOMLPosition(line: 14, column: 1))
        #expect(error.message == "receiver \"tmo-1\" is missing the required key \"carrier\"")
    }

    @Test func aMissingCredentialIsNamed() throws {
        let error = try only(ConfigFixtures.valid.replacingOccurrences(of: "account_sid = \"AC123\", ", with: ""))
        #expect(error.position == TOMLPosition(line: 12, column: 15))
        #expect(error.message.contains("missing the required key \"account_sid\""))
    }

    @Test func duplicateNamesPointAtTheSecond() throws {
        let text = ConfigFixtures.valid + """

            [[receiver]]
            name = "tmo-1"
            number = "+15551230009"
            carrier = "T-Mobile US"
            source = "json"
            secret = "another-token"
            """
        let error = try only(text)
        #expect(error.position == TOMLPosition(line: 26, column: 8))
        #expect(error.message == "duplicate receiver name \"tmo-1\"; it is already defined at \(error.file):15:8")
    }

    @Test func referencesToMissingRoutesAndReceivers() throws {
        let route = try only(ConfigFixtures.valid.replacingOccurrences(of: "route = \"us-longcode\"", with: "route = \"us-longcod\""))
        #expect(route.position == TOMLPosition(line: 22, column: 9))
        #expect(route.message == "probe \"us-longcode-tmo\": no route is named \"us-longcod\"; did you mean \"us-longcode\"?")

        let receiver = try only(ConfigFixtures.valid.replacingOccurrences(of: "receivers = [\"tmo-1\"]",
                                                                          with: "receivers = [\"tmo-1\", \"att-9\"]"))
        #expect(receiver.position == TOMLPosition(line: 23, column: 23))
        #expect(receiver.message.contains("no receiver is named \"att-9\""))
    }

    @Test func theDeadlineMustBeLongerThanTheThreshold() throws {
        let error = try only(ConfigFixtures.valid.replacingOccurrences(of: "interval = \"2m\"",
                                                                       with: "interval = \"2m\"\ndeadline = \"60s\""))
        #expect(error.position == TOMLPosition(line: 25, column: 12))
        #expect(error.message.contains("the deadline (1m) must be longer than the threshold (1m)"))

        // Inherited from [defaults]: the error points at the default that is wrong.
        let inherited = try only(ConfigFixtures.valid.replacingOccurrences(of: "deadline = \"15m\"", with: "deadline = \"30s\""))
        #expect(inherited.position == TOMLPosition(line: 6, column: 12))
    }

    @Test func aBodyWithoutTokenIsAnError() throws {
        let error = try only(ConfigFixtures.valid.replacingOccurrences(of: "interval = \"2m\"",
                                                                       with: "interval = \"2m\"\nbody = \"Lastmile check\""))
        #expect(error.position == TOMLPosition(line: 25, column: 8))
        #expect(error.message.contains("body template must contain {token}"))
    }

    @Test func aBodyOutsideGSM7IsAWarningOnly() throws {
        let (result, _) = try ConfigFixtures.load(ConfigFixtures.valid.replacingOccurrences(
            of: "interval = \"2m\"", with: "interval = \"2m\"\nbody = \"Lastmile ✓ {token}\""))
        #expect(result.errors.isEmpty)
        #expect(result.configuration != nil)
        let warning = try #require(result.warnings.first)
        #expect(warning.position == TOMLPosition(line: 25, column: 8))
        #expect(warning.message.contains("UCS-2"))
    }

    @Test(arguments: [
        ("127.0.0.1", "expected HOST:PORT"),
        ("127.0.0.1:99999", "is not a port"),
        ("::1:9733", "brackets"),
        ("[::1:9733", "missing ']'"),
        ("example.com:9733", "not an IPv4 address"),
        ("300.1.1.1:80", "not an IPv4 address"),
    ])
    func anUnparsableListenAddressIsAnError(address: String, reason: String) throws {
        let error = try only(ConfigFixtures.valid.replacingOccurrences(of: "127.0.0.1:9733", with: address))
        #expect(error.position == TOMLPosition(line: 2, column: 10))
        #expect(error.message.contains(reason), "\(error.message)")
    }

    @Test(arguments: ["[::1]:9733", "0.0.0.0:80", "localhost:9733", "[::]:1"])
    func goodListenAddresses(address: String) throws {
        let (result, _) = try ConfigFixtures.load(ConfigFixtures.valid.replacingOccurrences(of: "127.0.0.1:9733", with: address))
        #expect(result.errors.isEmpty, "\(result.errors)")
    }

    @Test func aSecretWhoseVariableIsMissing() throws {
        let error = try only(ConfigFixtures.valid, environment: [:])
        #expect(error.position == TOMLPosition(line: 12, column: 61))
        #expect(error.message.contains("environment variable TWILIO_AUTH_TOKEN, which is not set"))
    }

    @Test func aSecretWhoseFileIsMissingAndOneThatExists() throws {
        let missing = try only(ConfigFixtures.valid.replacingOccurrences(
            of: "{ env = \"TWILIO_AUTH_TOKEN\" }", with: "{ file = \"secrets/none\" }"))
        #expect(missing.position == TOMLPosition(line: 12, column: 62))
        #expect(missing.message.contains("does not exist"))

        let (result, _) = try ConfigFixtures.load(
            ConfigFixtures.valid.replacingOccurrences(of: "{ env = \"TWILIO_AUTH_TOKEN\" }", with: "{ file = \"secrets/token\" }"),
            files: ["secrets/token": "from-a-file\n"])
        #expect(result.errors.isEmpty)
        #expect(result.configuration?.routes.first?.credentials["auth_token"]?.reveal() == "from-a-file")
    }

    @Test func aSecretOrConfigFileWithoutEndIsAnErrorNotMemoryWithoutEnd() throws {
        let endless = try only(ConfigFixtures.valid.replacingOccurrences(
            of: "{ env = \"TWILIO_AUTH_TOKEN\" }", with: "{ file = \"/dev/zero\" }"))
        #expect(endless.position == TOMLPosition(line: 12, column: 62))
        #expect(endless.message.contains("/dev/zero, which holds more than 64 KiB"), "\(endless)")

        let result = ConfigLoader.load(path: "/dev/zero", catalogue: .standard, environment: [:])
        #expect(result.configuration == nil)
        #expect(result.errors.first?.message == "the config file holds more than 4096 KiB", "\(result.diagnostics)")
    }

    @Test func everyProblemIsReportedAtOnce() throws {
        var text = ConfigFixtures.valid
        text = text.replacingOccurrences(of: "listen = \"127.0.0.1:9733\"", with: "listen = \"nowhere\"")
        text = text.replacingOccurrences(of: "provider = \"twilio\"", with: "provider = \"twillio\"")
        text = text.replacingOccurrences(of: "source = \"json\"", with: "source = \"json\"\nsecrt = 1")
        text = text.replacingOccurrences(of: "receivers = [\"tmo-1\"]", with: "receivers = [\"tmo-2\"]")
        text = text.replacingOccurrences(of: "interval = \"2m\"", with: "interval = \"2 minutes\"")
        let found = try errors(text, environment: [:])
        let lines = found.map(\.position.line)
        #expect(lines == lines.sorted())
        #expect(found.count == 5, "\(found.map(\.description))")
        #expect(found[1].message.contains("did you mean \"twilio\"?"))
        #expect(found[2].message.contains("did you mean \"secret\"?"))
        #expect(found[4].message.contains("is not a duration"))
    }

    @Test func aSecretsValueNeverAppearsInDiagnostics() throws {
        let text = ConfigFixtures.valid.replacingOccurrences(of: "account_sid = \"AC123\"", with: "account_sid = 5")
        let (result, _) = try ConfigFixtures.load(text)
        #expect(!result.diagnostics.isEmpty)
        for diagnostic in result.diagnostics {
            #expect(!diagnostic.description.contains("tw-secret-value-123"))
        }
        let secret = Secret("tw-secret-value-123", source: .environment("TWILIO_AUTH_TOKEN"))
        #expect("\(secret)" == "<secret from env TWILIO_AUTH_TOKEN>")
        #expect(String(reflecting: secret) == "<secret from env TWILIO_AUTH_TOKEN>")
    }
}

@Suite struct IncludeTests {
    static let probeFile = """
        [[probe]]
        name = "included-probe"
        route = "us-longcode"
        receivers = ["tmo-1"]
        """

    @Test func probesLiveInIncludedFiles() throws {
        let (result, directory) = try ConfigFixtures.load("include = [\"probes.d/*.toml\"]\n" + ConfigFixtures.valid,
                                                          files: ["probes.d/b.toml": Self.probeFile,
                                                                  "probes.d/a.toml": Self.probeFile.replacingOccurrences(of: "included-probe", with: "first")])
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.configuration?.probes.map(\.name) == ["us-longcode-tmo", "first", "included-probe"])
        #expect(result.configuration?.files == [directory.path("lastmile.toml"), directory.path("probes.d/a.toml"),
                                               directory.path("probes.d/b.toml")])
    }

    @Test func errorsInIncludedFilesNameThatFile() throws {
        let (result, directory) = try ConfigFixtures.load(
            "include = [\"probes.d/*.toml\"]\n" + ConfigFixtures.valid,
            files: ["probes.d/x.toml": Self.probeFile.replacingOccurrences(of: "tmo-1", with: "tmo_1") + "\n[server]\nlisten = \"127.0.0.1:1\"\n"])
        #expect(result.errors.map(\.file) == [directory.path("probes.d/x.toml"), directory.path("probes.d/x.toml")])
        #expect(result.errorSummaries == ["4:14 probe \"included-probe\": no receiver is named \"tmo_1\"; did you mean \"tmo-1\"?",
                                          "5:2 [server] belongs in the main file, not in an included one"])
    }

    @Test func aDuplicateAcrossFilesNamesTheFirstFile() throws {
        let (result, directory) = try ConfigFixtures.load(
            "include = [\"more.toml\"]\n" + ConfigFixtures.valid,
            files: ["more.toml": Self.probeFile.replacingOccurrences(of: "included-probe", with: "us-longcode-tmo")])
        let error = try #require(result.errors.first)
        #expect(result.errors.count == 1)
        #expect(error.file == directory.path("more.toml"))
        #expect(error.message.contains("already defined at \(directory.path("lastmile.toml")):22:8"))
    }

    @Test func aMissingLiteralIncludeIsAnError() throws {
        let (result, _) = try ConfigFixtures.load("include = [\"nope.toml\", \"empty.d/*.toml\"]\n" + ConfigFixtures.valid)
        #expect(result.errorSummaries.count == 1)
        #expect(result.errorSummaries.first?.hasPrefix("1:12 include: the file") == true)
    }
}

@Suite struct DurationTests {
    @Test(arguments: [("500ms", 0.5), ("90s", 90.0), ("5m", 300.0), ("1h30m", 5_400.0), ("28d", 2_419_200.0), ("2w", 1_209_600.0)])
    func parses(text: String, seconds: Double) {
        #expect(ConfigDuration.parse(text) == seconds)
    }

    @Test(arguments: ["", "5", "m", "5 m", "5min", "-5s", "1h 30m", "1.2.3s"])
    func rejects(text: String) {
        #expect(ConfigDuration.parse(text) == nil)
    }

    @Test func formats() {
        #expect(ConfigDuration.format(5_400) == "1h30m")
        #expect(ConfigDuration.format(0.25) == "250ms")
        #expect(ConfigDuration.format(86_400 * 28) == "28d")
    }
}

@Suite struct MetricsSectionTests {
    @Test func bucketsAreDurationsInIncreasingOrder() throws {
        let (good, _) = try ConfigFixtures.load(ConfigFixtures.valid + "\n[metrics]\ndelivery_buckets = [\"500ms\", \"2s\", \"1m\"]\n")
        #expect(good.errors.isEmpty, "\(good.errors)")
        #expect(good.configuration?.metrics.deliveryBuckets == [0.5, 2, 60])
        let (bad, _) = try ConfigFixtures.load(ConfigFixtures.valid + "\n[metrics]\napi_buckets = [\"2s\", \"1s\"]\ndelivery_buckets = [\"soon\"]\n")
        #expect(bad.errorSummaries == ["26:1 [metrics]: api_buckets must be in increasing order without repeats",
                                       "27:1 [metrics]: delivery_buckets needs at least one bucket",
                                       "27:21 [metrics]: \"soon\" in delivery_buckets is not a duration such as 250ms or 2m"])
    }
}

@Suite struct AlertingSectionTests {
    @Test func aTierMayAskForItsOwnConfidence() throws {
        let tiers = """

            [alerting]
            confidence = 0.9

            [[alerting.tier]]
            severity = "page"
            long = "1h"
            short = "5m"
            factor = 14.4
            confidence = 0.999

            [[alerting.tier]]
            severity = "ticket"
            long = "1d"
            short = "2h"
            factor = 3

            """
        let (good, _) = try ConfigFixtures.load(ConfigFixtures.valid + tiers)
        #expect(good.errors.isEmpty, "\(good.errors)")
        let alerting = try #require(good.configuration?.alerting)
        #expect(alerting.confidence == 0.9)
        #expect(alerting.tiers.map(\.confidence) == [0.999, nil])

        let (bad, _) = try ConfigFixtures.load(ConfigFixtures.valid + tiers.replacingOccurrences(of: "confidence = 0.999", with: "confidence = 99.9"))
        #expect(bad.errorSummaries == ["33:14 [[alerting.tier]]: confidence must be between 0.5 and 1 (e.g. 0.999)"])
    }

    @Test func theDetectorsBudgetAndSwitchAreReadAndChecked() throws {
        let (defaults, _) = try ConfigFixtures.load(ConfigFixtures.valid)
        #expect(defaults.configuration?.alerting.falsePagesPerYear == 1)
        #expect(defaults.configuration?.alerting.detectors == true)

        let (good, _) = try ConfigFixtures.load(ConfigFixtures.valid + "\n[alerting]\nfalse_pages_per_year = 0.25\ndetectors = false\n")
        #expect(good.errors.isEmpty, "\(good.errors)")
        #expect(good.configuration?.alerting.falsePagesPerYear == 0.25)
        #expect(good.configuration?.alerting.detectors == false)
        #expect(good.configuration?.detectionSettings.falsePagesPerYear == 0.25)

        let (bad, _) = try ConfigFixtures.load(ConfigFixtures.valid + "\n[alerting]\nfalse_pages_per_year = 0\ndetectors = \"yes\"\n")
        #expect(bad.errorSummaries.contains { $0.hasSuffix("[alerting]: false_pages_per_year must be above 0 and at most 1000 (e.g. 1)") },
                "\(bad.errorSummaries)")
        #expect(bad.errorSummaries.count == 2, "\(bad.errorSummaries)")
    }

    @Test func aPublicListenerWithoutAnAdminOneIsWarnedAbout() throws {
        let (loopback, _) = try ConfigFixtures.load(ConfigFixtures.valid)
        #expect(!loopback.diagnostics.contains { $0.message.contains("admin_listen is not set") })

        let exposed = ConfigFixtures.valid.replacingOccurrences(of: "listen = \"127.0.0.1:9733\"", with: "listen = \"0.0.0.0:9733\"")
        let (open, _) = try ConfigFixtures.load(exposed)
        #expect(open.errors.isEmpty, "\(open.errors)")
        let warning = open.diagnostics.first { $0.message.contains("admin_listen is not set") }
        #expect(warning?.severity == .warning)
        #expect(warning?.position.line == 2)

        let separated = exposed.replacingOccurrences(of: "[server]\n", with: "[server]\nadmin_listen = \"127.0.0.1:9734\"\n")
        let (apart, _) = try ConfigFixtures.load(separated)
        #expect(!apart.diagnostics.contains { $0.message.contains("admin_listen is not set") })
    }

    @Test func theConnectionCapsAreReadAndChecked() throws {
        let (defaults, _) = try ConfigFixtures.load(ConfigFixtures.valid)
        #expect(defaults.configuration?.server.maximumConnections == nil)
        #expect(defaults.configuration?.server.maximumConnectionsPerPeer == nil)

        let caps = "public_url = \"https://probe.example.net\"\nmax_connections = 20000\nmax_connections_per_peer = 4000"
        let (good, _) = try ConfigFixtures.load(ConfigFixtures.valid.replacingOccurrences(of: "public_url = \"https://probe.example.net\"", with: caps))
        #expect(good.errors.isEmpty, "\(good.errors)")
        #expect(good.configuration?.server.maximumConnections == 20_000)
        #expect(good.configuration?.server.maximumConnectionsPerPeer == 4_000)

        let zero = "public_url = \"https://probe.example.net\"\nmax_connections_per_peer = 0"
        let (bad, _) = try ConfigFixtures.load(ConfigFixtures.valid.replacingOccurrences(of: "public_url = \"https://probe.example.net\"", with: zero))
        #expect(bad.errorSummaries == ["4:28 [server]: \"max_connections_per_peer\" must be at least 1, not 0"], "\(bad.errorSummaries)")
    }

    @Test func withoutTiersThePagesAskForMoreConfidenceThanTheTickets() throws {
        let (result, _) = try ConfigFixtures.load(ConfigFixtures.valid)
        let tiers = try #require(result.configuration?.alerting.tiers)
        #expect(tiers.filter { $0.severity == "page" }.map(\.confidence) == [0.999, 0.999])
        #expect(tiers.filter { $0.severity == "ticket" }.map(\.confidence) == [nil, nil])
    }
}

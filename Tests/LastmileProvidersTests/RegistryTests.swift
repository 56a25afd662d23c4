import Foundation
import HTTP
import LastmileConfig
import Testing
@testable import LastmileProviders

/// The registry holds each provider and source once, and what each declares agrees with what it does.
@Suite struct RegistryTests {
    let registry = ProviderRegistry.standard

    @Test func everyNameIsListedOnce() {
        let providers = registry.providers.map(\.providerTraits.kind.rawValue)
        let sources = registry.sources.map(\.sourceTraits.kind.rawValue)
        #expect(Set(providers).count == providers.count, "\(providers)")
        #expect(Set(sources).count == sources.count, "\(sources)")
    }

    @Test func aSourceIsTakenInAsItsTraitsSay() {
        for source in registry.sources {
            switch source.intake {
            case .webhook:
                #expect(!source.sourceTraits.isSpool, "\(source.sourceTraits.kind) has a webhook but declares a spool")
                #expect(!source.sourceTraits.methods.isEmpty, "\(source.sourceTraits.kind) declares no methods")
            case .spool:
                #expect(source.sourceTraits.isSpool, "\(source.sourceTraits.kind) reads a spool but declares a webhook")
            }
        }
    }

    @Test func everyProviderHasAnAdapterAndRefusesAnUnsignedReceipt() throws {
        for provider in registry.providers {
            let traits = provider.providerTraits
            let text = """
                [server]
                public_url = "https://probe.example.net"
                [[route]]
                name = "r"
                provider = "\(traits.kind)"
                from = "+15005550006"
                api_url = "http://127.0.0.1:9"
                hook_secret = "t0ken"
                credentials = { \((traits.requiredCredentials + traits.optionalCredentials).map { "\($0) = \"x\"" }.joined(separator: ", ")) }
                \(traits.describesItsShape ? "[route.request]\nurl = \"http://127.0.0.1:9/send\"\njson = { to = \"{to}\" }\n[route.receipt]\ndelivered = [\"DELIVRD\"]\n" : "")
                """
            let loaded = ConfigLoader.load(text: Array(text.utf8), path: "r.toml", catalogue: registry.catalogue, environment: [:])
            let route = try #require(loaded.configuration?.routes.first, "\(traits.kind): \(loaded.errors)")
            #expect(registry.adapter(for: route) != nil, "\(traits.kind) has no adapter for a complete route")
            let verifier = registry.receiptVerifier(for: route, publicURL: URL(string: "https://probe.example.net"))
            let unsigned = HTTPRequest(head: HTTPRequestHead(method: "POST", target: "/hooks/receipts/r"), body: [])
            #expect(verifier.check(unsigned, url: URL(string: "https://probe.example.net/hooks/receipts/r"), now: Date()) != nil,
                    "\(traits.kind) lets an unsigned receipt through")
        }
    }
}

@Suite struct RefusingHookTests {
    @Test func aHookThatWillRefuseEveryCallIsNamedWithWhy() throws {
        let text = """
            [[receiver]]
            name = "telnyx-phone"
            number = "+15551230001"
            carrier = "C"
            source = "telnyx"
            secret = "not-a-key"

            [[receiver]]
            name = "gateway"
            number = "+15551230002"
            carrier = "C"
            source = "json"
            secret = "arrival-token"
            """
        let loaded = ConfigLoader.load(text: Array(text.utf8), path: "/tmp/refusing.toml", catalogue: .standard, environment: [:])
        let configuration = try #require(loaded.configuration, "\(loaded.diagnostics)")
        let refusing = ProviderRegistry.standard.refusingHooks(in: configuration)
        #expect(refusing.map(\.hook) == ["/hooks/arrivals/telnyx-phone"])
        #expect(refusing.first?.reason.contains("Ed25519") == true)
    }
}

// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Lastmile",
    products: [
        .executable(name: "lastmile", targets: ["lastmile"]),
        .executable(name: "toml-decode", targets: ["toml-decode"]),
        .executable(name: "lastmile-bench", targets: ["lastmile-bench"]),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ", providers: [.apt(["libpq-dev"])]),
        // epoll and eventfd from the C library's headers (nothing to link).
        .systemLibrary(name: "CEpoll", path: "Sources/CEpoll"),
        .target(name: "LastmileBase"),
        .target(name: "TOML"),
        // Pure logic with exact numerics (threshold searches solve Markov chains of thousands of
        // states): optimized in debug builds too, so tests and `lastmile check` stay quick.
        .target(name: "LastmileCore", swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        .target(name: "LastmileConfig", dependencies: ["TOML", "LastmileCore"]),
        .target(name: "HTTP", dependencies: ["LastmileBase", "CEpoll"]),
        .target(name: "LastmileStore", dependencies: ["LastmileBase", "CSQLite", "CLibPQ", "LastmileCore"]),
        .target(name: "LastmileProviders", dependencies: ["LastmileBase", "CCrypto", "LastmileCore", "LastmileConfig", "HTTP"]),
        .target(name: "LastmileViews", dependencies: ["LastmileBase", "LastmileCore", "LastmileConfig", "LastmileStore"]),
        .target(name: "LastmileDaemon", dependencies: ["LastmileBase", "LastmileCore", "LastmileConfig", "LastmileStore", "LastmileProviders",
                                                        "LastmileViews", "HTTP", "CEpoll"]),
        .target(name: "LastmileSimulator", dependencies: ["LastmileBase", "LastmileCore", "LastmileConfig", "LastmileProviders", "HTTP"]),
        .executableTarget(name: "lastmile", dependencies: ["LastmileBase", "LastmileCore", "LastmileConfig", "LastmileStore", "LastmileProviders",
                                                           "LastmileViews", "LastmileDaemon",
                                                           "LastmileSimulator"]),
        .executableTarget(name: "toml-decode", dependencies: ["TOML"]),
        .executableTarget(name: "lastmile-bench", dependencies: ["LastmileBase", "LastmileCore", "LastmileStore", "LastmileConfig", "LastmileProviders",
                                                                 "LastmileDaemon", "HTTP"]),
        .executableTarget(name: "lastmile-crash-writer", dependencies: ["LastmileCore", "LastmileStore"]),
        .target(name: "LastmileTestSupport", dependencies: ["LastmileStore"], path: "Tests/LastmileTestSupport"),
        .testTarget(name: "LastmileBaseTests", dependencies: ["LastmileBase"]),
        .testTarget(name: "LastmileViewsTests",
                    dependencies: ["LastmileViews", "LastmileConfig", "LastmileProviders", "LastmileCore", "LastmileTestSupport"]),
        .testTarget(name: "LastmileSimulatorTests", dependencies: ["LastmileSimulator", "LastmileCore"]),
        .testTarget(name: "lastmileTests", dependencies: ["lastmile", "LastmileCore", "LastmileStore", "LastmileTestSupport"]),
        .testTarget(name: "LastmileCoreTests", dependencies: ["LastmileCore", "LastmileTestSupport"]),
        .testTarget(name: "LastmileStoreTests", dependencies: ["LastmileStore", "LastmileCore", "LastmileTestSupport"]),
        .testTarget(name: "TOMLTests", dependencies: ["TOML", "LastmileTestSupport"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "LastmileTestSupport"]),
        .testTarget(name: "LastmileProvidersTests",
                    dependencies: ["LastmileProviders", "LastmileBase", "LastmileConfig", "LastmileCore", "HTTP", "LastmileTestSupport"]),
        .testTarget(name: "LastmileDaemonTests",
                    dependencies: ["LastmileDaemon", "LastmileBase", "LastmileProviders", "LastmileCore", "LastmileStore", "LastmileSimulator",
                                   "LastmileConfig", "HTTP", "LastmileTestSupport"]),
        .testTarget(name: "LastmileConfigTests", dependencies: ["LastmileConfig", "LastmileProviders", "TOML", "LastmileTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

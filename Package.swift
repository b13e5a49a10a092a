// swift-tools-version:6.1
import PackageDescription

// Target layout and dependency arrows: see the README's design notes.
// TradLyteCore does no I/O; TradLyteStore is the only module that talks to SQLite, through the
// CSQLite system-library module.
let package = Package(
    name: "TradLyte",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "tradlyte", targets: ["tradlyte"]),
        .executable(name: "tradlyte-bench", targets: ["tradlyte-bench"]),
        .executable(name: "tradlyte-fake-polygon", targets: ["tradlyte-fake-polygon"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // The serving layer (`tradlyte serve`). Hummingbird's default traits pull in
        // swift-configuration and full Foundation for URL-encoded forms; neither is used here.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        // Tests only: the HTTP client the load drill drives the built server with (Hummingbird's
        // testing module already builds it).
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // C modules: the system libraries.
        .systemLibrary(
            name: "CSQLite",
            path: "Sources/CSQLite",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),
        .systemLibrary(
            name: "CCurl",
            path: "Sources/CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"]), .brew(["curl"])]
        ),
        .systemLibrary(
            name: "CNCurses",
            path: "Sources/CNCurses",
            providers: [.apt(["libncurses-dev"]), .brew(["ncurses"])]
        ),

        // The engine: the core (no I/O), the store, the providers, the pipeline.
        .target(name: "TradLyteCore"),
        .target(name: "TradLyteStore", dependencies: ["TradLyteCore", "CSQLite"]),
        .target(name: "MarketData", dependencies: ["TradLyteCore", "CCurl"]),
        .target(name: "PolygonFake", dependencies: ["MarketData", "TradLyteCore"]),
        .target(name: "TradLytePipeline", dependencies: ["TradLyteCore"]),

        // The terminal UI: rendering (no I/O), the ncurses backend, the UI's state and screens.
        .target(name: "TermRender"),
        .target(name: "TermCurses", dependencies: ["TermRender", "CNCurses"]),
        .target(name: "TradLyteUI", dependencies: ["TradLyteCore", "TermRender"]),

        // The app layer between the engine and the executable: environment and config, refresh
        // set-up, catalogs, run lock, the scan service, workers and the UI's effect runner.
        .target(
            name: "TradLyteApp",
            dependencies: [
                "TradLyteCore", "TradLyteStore", "MarketData", "TradLytePipeline", "TradLyteUI", "TermRender",
                "TermCurses",
            ]
        ),

        // The serving layer: `tradlyte serve`, a REST + WebSocket API whose routes call the app services.
        .target(
            name: "TradLyteServer",
            dependencies: [
                "TradLyteApp", "TradLyteCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            ]
        ),

        // The executables: argument parsing over the app layer (nothing else: every flow is an
        // app service), the benchmarks, and the fake Polygon server for trying the provider offline.
        .executableTarget(
            name: "tradlyte",
            dependencies: [
                "TradLyteApp", "TradLyteServer", "TradLyteCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "tradlyte-fake-polygon",
            dependencies: [
                "PolygonFake", "MarketData", "TradLyteCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "tradlyte-bench",
            dependencies: [
                "TradLyteApp", "TradLyteCore", "TradLyteStore", "MarketData", "PolygonFake",
                "TradLytePipeline", "TradLyteUI", "TermRender",
            ]),

        // Tests. Shared by every test target: the manual clock, seeded random data, fixtures,
        // temporary directories and the clean-environment process harness (CLI and tmux).
        .target(
            name: "TradLyteTestSupport",
            dependencies: ["TradLyteCore"],
            path: "Tests/TradLyteTestSupport"
        ),
        .testTarget(name: "TradLyteCoreTests", dependencies: ["TradLyteCore", "TradLyteApp", "TradLyteTestSupport"]),
        .testTarget(
            name: "TradLyteAppTests",
            dependencies: [
                "TradLyteApp", "TradLyteCore", "TradLyteStore", "TradLyteUI", "TermRender", "TradLyteTestSupport",
                "PolygonFake", "MarketData",
            ]
        ),
        .testTarget(
            name: "TradLyteServerTests",
            dependencies: [
                "TradLyteServer", "TradLyteApp", "TradLyteCore", "TradLyteStore", "TradLyteTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "TradLyteStoreTests",
            dependencies: ["TradLyteStore", "TradLyteCore", "CSQLite", "TradLyteTestSupport"]
        ),
        .testTarget(
            name: "MarketDataTests",
            dependencies: ["MarketData", "PolygonFake", "TradLyteCore", "TradLyteStore", "TradLyteTestSupport"]
        ),
        .testTarget(
            name: "TradLytePipelineTests",
            dependencies: [
                "TradLytePipeline", "TradLyteStore", "TradLyteCore", "MarketData", "PolygonFake",
                "TradLyteTestSupport",
            ]
        ),
        .testTarget(
            name: "TradLyteUITests",
            dependencies: ["TradLyteUI", "TermRender", "TradLyteCore", "TradLyteTestSupport"],
            exclude: ["Snapshots"]
        ),
        .testTarget(
            name: "TradLyteCLITests",
            dependencies: [
                "TradLyteCore", "PolygonFake", "MarketData", "TradLyteStore", "CSQLite",
                "TradLyteTestSupport",
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

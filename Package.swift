// swift-tools-version:6.0
import PackageDescription

// Target layout and dependency arrows: see the README's design notes (and ARCHITECTURE §2).
// TradLyteCore does no I/O; TradLyteStore is the only module that talks to SQLite, through the
// CSQLite system-library module.
let package = Package(
    name: "TradLyte",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "tradlyte", targets: ["tradlyte"]),
        .executable(name: "tradlyte-bench", targets: ["tradlyte-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            path: "Sources/CSQLite",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),
        .target(name: "TradLyteCore"),
        .target(name: "TradLyteStore", dependencies: ["TradLyteCore", "CSQLite"]),
        .executableTarget(
            name: "tradlyte",
            dependencies: [
                "TradLyteCore", "TradLyteStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "tradlyte-bench", dependencies: ["TradLyteCore", "TradLyteStore"]),
        .testTarget(name: "TradLyteCoreTests", dependencies: ["TradLyteCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TradLyteStoreTests", dependencies: ["TradLyteStore", "TradLyteCore", "CSQLite"]),
        .testTarget(name: "TradLyteCLITests", dependencies: ["TradLyteCore"]),
    ],
    swiftLanguageModes: [.v6]
)

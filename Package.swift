// swift-tools-version:6.1
import Foundation
import PackageDescription

/// Swift settings every target gets: the upcoming features the model codebases
/// (Hummingbird, swift-nio) build with.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "swift-syncml",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "SyncMLCore", targets: ["SyncMLCore"]),
        .library(name: "SyncMLStore", targets: ["SyncMLStore"]),
        .library(name: "SyncMLEngine", targets: ["SyncMLEngine"]),
        .library(name: "SyncMLClient", targets: ["SyncMLClient"]),
        .library(name: "SyncMLServer", targets: ["SyncMLServer"]),
        .library(name: "SyncMLHTTP", targets: ["SyncMLHTTP"]),
        .executable(name: "syncml", targets: ["syncml"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // System libraries from the design card. Only SyncMLStore (sqlite3) and the
        // journal framing in CSupport (zlib) may link them.
        .systemLibrary(
            name: "CSQLite",
            path: "CSupport/system/sqlite3",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            path: "CSupport/system/zlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // The C shim: hot loops that must run without allocation (WBXML scanning).
        .target(
            name: "CSupport",
            dependencies: ["CZlib"],
            path: "CSupport",
            exclude: ["system"],
            sources: ["src"],
            publicHeadersPath: "include",
            cSettings: [.unsafeFlags(["-Wall", "-Wextra", "-Wno-unused-parameter"])]
        ),
        .target(
            name: "SyncMLCore",
            dependencies: ["CSupport"],
            swiftSettings: strictSettings
        ),
        // Deterministic sample data (vCards, slow-sync messages) for benchmarks,
        // load tests and `syncml generate`.
        .target(
            name: "SyncMLSampleData",
            dependencies: ["SyncMLCore"],
            swiftSettings: strictSettings
        ),
        // The change journal: the only module that calls sqlite3_*.
        .target(
            name: "SyncMLStore",
            dependencies: ["CSQLite", "CSupport", "SyncMLCore", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        // The server's SyncML session engine: messages in, replies out; the
        // store is its only side effect (no network, no files).
        .target(
            name: "SyncMLEngine",
            dependencies: [
                "SyncMLCore", "SyncMLStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        // The HTTP transport: SyncML over HTTP/1.1 (or HTTPS, swift-nio-ssl) on
        // swift-nio, handing each message to SyncServer. No SyncML parsing of its own.
        .target(
            name: "SyncMLServer",
            dependencies: [
                "SyncMLEngine",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The client role a host app embeds: its records in, a sync report out.
        // No network stack: the host hands it a SyncTransport (SyncMLHTTP has one).
        .target(
            name: "SyncMLClient",
            dependencies: [
                "SyncMLCore", "SyncMLStore",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        // The network adapters: the client's HTTP(S) transport on AsyncHTTPClient.
        .target(
            name: "SyncMLHTTP",
            dependencies: [
                "SyncMLClient",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strictSettings
        ),
        // A client and the server engine in one process (previews, benchmarks).
        .target(
            name: "SyncMLInProcess",
            dependencies: ["SyncMLClient", "SyncMLEngine"],
            swiftSettings: strictSettings
        ),
        // What the benchmarks share: a generated host book and an in-process sync rig.
        .target(
            name: "SyncMLBenchSupport",
            dependencies: [
                "SyncMLClient", "SyncMLEngine", "SyncMLInProcess", "SyncMLSampleData", "SyncMLStore",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // One measurement per process, as JSON lines, for Benchmarks/side-by-side.py.
        // Built with everything else so it never rots; it has no extra dependency.
        // (Not under Benchmarks/: package-benchmark runs every executable there.)
        .executableTarget(
            name: "syncml-bench",
            dependencies: [
                "SyncMLBenchSupport", "SyncMLClient", "SyncMLCore", "SyncMLHTTP", "SyncMLSampleData", "SyncMLStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        // Writes a large batch into a store until killed; the crash-safety test runs it.
        .executableTarget(
            name: "store-crash-helper",
            dependencies: ["SyncMLStore"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "syncml",
            dependencies: [
                "SyncMLCore",
                "SyncMLSampleData",
                "SyncMLStore",
                "SyncMLEngine",
                "SyncMLInProcess",
                "SyncMLServer",
                "SyncMLClient",
                "SyncMLHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // A throwaway CA and server certificate made with `openssl`, for the HTTPS tests.
        .target(
            name: "TestCertificates",
            path: "Tests/TestCertificates",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SyncMLCoreTests",
            dependencies: ["SyncMLCore", "CSupport", "SyncMLSampleData"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SyncMLSampleDataTests",
            dependencies: ["SyncMLSampleData", "SyncMLCore"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SyncMLStoreTests",
            dependencies: ["SyncMLStore", "SyncMLCore", "CSupport", "store-crash-helper"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SyncMLEngineTests",
            dependencies: [
                "SyncMLEngine", "SyncMLStore", "SyncMLCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SyncMLServerTests",
            dependencies: [
                "SyncMLServer",
                "TestCertificates",
                "SyncMLEngine",
                "SyncMLStore",
                "SyncMLClient",
                "SyncMLHTTP",
                "SyncMLCore",
                "SyncMLSampleData",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SyncMLClientTests",
            dependencies: [
                "SyncMLClient", "SyncMLEngine", "SyncMLStore", "SyncMLCore",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The HTTP(S) transport against loopback servers: plain, TLS with throwaway
        // certificates made by `openssl`, a CONNECT proxy; and `syncml sync` over https.
        .testTarget(
            name: "SyncMLHTTPTests",
            dependencies: [
                "SyncMLHTTP", "SyncMLClient", "SyncMLServer", "SyncMLEngine", "SyncMLStore", "SyncMLCore", "syncml",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Runs the built `syncml` executable (a dependency, so it is built first).
        .testTarget(
            name: "syncmlCLITests",
            dependencies: ["syncml", "syncml-bench", "SyncMLCore", "TestCertificates"],
            exclude: ["Support/dedupe_review.py"],
            swiftSettings: strictSettings
        ),
        // A real SyncML client (SyncEvolution) against `syncml serve`: both run as
        // subprocesses; `syncml` is a dependency so it is built first.
        .testTarget(
            name: "SyncMLInteropTests",
            dependencies: ["syncml", "TestCertificates"],
            exclude: ["Support/syncevolution-curlfix.c"],
            swiftSettings: strictSettings
        ),
    ]
)

// Benchmarks are opt-in: package-benchmark makes a cold `swift test` several times
// slower, so it is only resolved when SYNCML_BENCHMARKS is set (Hummingbird's pattern).
if ProcessInfo.processInfo.environment["SYNCML_BENCHMARKS"] != nil {
    package.dependencies.append(
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"])
    )
    package.targets.append(
        .executableTarget(
            name: "SyncMLBenchmarks",
            dependencies: [
                "SyncMLBenchSupport",
                "SyncMLCore",
                "SyncMLSampleData",
                "SyncMLStore",
                "SyncMLEngine",
                "SyncMLClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/SyncMLBenchmarks",
            swiftSettings: strictSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    )
}

// Fuzz targets are opt-in: they are only built by Fuzz/run.sh, with libFuzzer
// and the sanitizers (docs/FUZZING.md). Each is an executable whose main hands
// its callback to libFuzzer through FuzzDriver.
if ProcessInfo.processInfo.environment["SYNCML_FUZZ"] != nil {
    package.targets += [
        .target(name: "FuzzDriver", path: "Fuzz/Driver", swiftSettings: strictSettings),
        .executableTarget(
            name: "fuzz-decoder",
            dependencies: ["FuzzDriver", "SyncMLCore"],
            path: "Fuzz/Targets/fuzz-decoder",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "fuzz-records",
            dependencies: ["FuzzDriver", "SyncMLCore"],
            path: "Fuzz/Targets/fuzz-records",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "fuzz-server",
            dependencies: [
                "FuzzDriver", "SyncMLCore", "SyncMLStore", "SyncMLEngine",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Fuzz/Targets/fuzz-server",
            swiftSettings: strictSettings
        ),
    ]
}

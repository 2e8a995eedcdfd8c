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
        // Along the data path: bytes ↔ messages, records, the store, what both roles share,
        // the two roles, and the network adapters (the only products that link NIO).
        .library(name: "SyncMLCodec", targets: ["SyncMLCodec"]),
        .library(name: "SyncMLRecords", targets: ["SyncMLRecords"]),
        .library(name: "SyncMLStore", targets: ["SyncMLStore"]),
        .library(name: "SyncMLPostgres", targets: ["SyncMLPostgres"]),
        .library(name: "SyncMLProtocol", targets: ["SyncMLProtocol"]),
        .library(name: "SyncMLServer", targets: ["SyncMLServer"]),
        .library(name: "SyncMLClient", targets: ["SyncMLClient"]),
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
        // The store on PostgreSQL (SyncMLPostgres, docs/SCALING.md): only that module and `syncml` link it.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // Operations (docs/OPERATIONS.md): the server role emits through the metrics and tracing
        // APIs only; the CLI picks the backends (Prometheus) and runs `serve` as services.
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // `serve --otel-endpoint`: exports the server's spans over OTLP/HTTP. Only the HTTP exporter's
        // trait, so the gRPC stack is neither resolved into the build nor compiled; only `syncml` links it.
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
        // `swift package generate-documentation` (DocC catalogs in Sources/*/*.docc); no code links it.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        // Only the guides' examples link it: they show the server mounted on a Hummingbird route.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
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
        // The C shim: hot loops that must run without allocation (WBXML scanning,
        // the fingerprint hash, zlib journal frames).
        .target(
            name: "CSupport",
            dependencies: ["CZlib"],
            path: "CSupport",
            exclude: ["system"],
            sources: ["src"],
            publicHeadersPath: "include",
            cSettings: [.unsafeFlags(["-Wall", "-Wextra", "-Wno-unused-parameter"])]
        ),
        // 1. Bytes ↔ SyncML messages: the WBXML and XML tokenizers, the message model,
        //    the streaming decoder, the encoders and the wire-order transcoder. No I/O.
        .target(
            name: "SyncMLCodec",
            dependencies: ["CSupport"],
            swiftSettings: strictSettings
        ),
        // 2. The records inside the items: vCard, iCalendar, SIF (read with the codec's
        //    XML tokenizer); canonical forms, fingerprints, match keys, the matcher,
        //    the merger, duplicate groups.
        .target(
            name: "SyncMLRecords",
            dependencies: ["CSupport", "SyncMLCodec"],
            swiftSettings: strictSettings
        ),
        // 3. What both roles share: sync modes, packing to MaxMsgSize, large objects,
        //    credentials, anchors, resume state, a received item's identity.
        .target(
            name: "SyncMLProtocol",
            dependencies: ["SyncMLCodec", "SyncMLRecords", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        // 4. The change journal: the only module that calls sqlite3_*.
        .target(
            name: "SyncMLStore",
            dependencies: ["CSQLite", "CSupport", "SyncMLRecords", "SyncMLProtocol", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        // 4b. The same store on PostgreSQL: a second connection behind the store's one logic.
        //     Its own module, so SyncMLStore and the hosts that embed it never link postgres-nio.
        .target(
            name: "SyncMLPostgres",
            dependencies: [
                "SyncMLStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // 5a. The server role: messages in, replies out; the store is its only side
        //     effect (no network, no files).
        .target(
            name: "SyncMLServer",
            dependencies: [
                "SyncMLCodec", "SyncMLRecords", "SyncMLProtocol", "SyncMLStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSettings
        ),
        // 5b. The client role a host app embeds: its records in, a sync report out.
        //     No network stack: the host hands it a SyncTransport (SyncMLHTTP has one).
        .target(
            name: "SyncMLClient",
            dependencies: [
                "SyncMLCodec", "SyncMLRecords", "SyncMLProtocol", "SyncMLStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // 6. The network adapters, on swift-nio: the HTTP(S) listener that serves a
        //    SyncServer, and the client's HTTP(S) transport on AsyncHTTPClient.
        .target(
            name: "SyncMLHTTP",
            dependencies: [
                "SyncMLServer", "SyncMLClient",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),
        // A client and the server role in one process (previews, benchmarks).
        .target(
            name: "SyncMLInProcess",
            dependencies: ["SyncMLClient", "SyncMLServer"],
            swiftSettings: strictSettings
        ),
        // Deterministic sample data (vCards, slow-sync messages) for benchmarks,
        // load tests and `syncml generate`.
        .target(
            name: "SyncMLSampleData",
            dependencies: ["SyncMLCodec", "SyncMLRecords"],
            swiftSettings: strictSettings
        ),
        // What the benchmarks share: a generated host book and an in-process sync rig.
        .target(
            name: "SyncMLBenchSupport",
            dependencies: [
                "SyncMLClient", "SyncMLServer", "SyncMLInProcess", "SyncMLSampleData", "SyncMLStore", "SyncMLRecords",
                "SyncMLProtocol", "SyncMLCodec",
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
                "SyncMLBenchSupport", "SyncMLClient", "SyncMLCodec", "SyncMLRecords", "SyncMLProtocol", "SyncMLHTTP",
                "SyncMLSampleData", "SyncMLStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        // Writes a large batch into a store until killed; the crash-safety test runs it.
        .executableTarget(
            name: "store-crash-helper",
            dependencies: ["SyncMLStore", "SyncMLRecords"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "syncml",
            dependencies: [
                "SyncMLCodec",
                "SyncMLRecords",
                "SyncMLProtocol",
                "SyncMLSampleData",
                "SyncMLStore",
                "SyncMLPostgres",
                "SyncMLServer",
                "SyncMLInProcess",
                "SyncMLClient",
                "SyncMLHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "OTel", package: "swift-otel"),
            ],
            swiftSettings: strictSettings
        ),
        // What several test targets share: the recorded fixtures, the external tools
        // (peers) and their loud skips, a seeded generator, throwaway TLS certificates.
        .target(
            name: "TestSupport",
            dependencies: ["SyncMLSampleData"],
            path: "Tests/TestSupport",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            // An example host (Examples/CRMHost): the server on a Hummingbird route, the CRM's own
            // logins, and a mirror of what devices sync. Built with the package, so it keeps compiling.
            name: "syncml-example-host",
            dependencies: [
                "SyncMLServer", "SyncMLStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Examples/CRMHost",
            swiftSettings: strictSettings
        ),
        .testTarget(
            // The code of the DocC guides (Sources/*/*.docc), compiled and run; a guide whose
            // code is not here verbatim fails.
            name: "DocumentationExamplesTests",
            dependencies: [
                "SyncMLClient", "SyncMLServer", "SyncMLStore", "SyncMLHTTP", "SyncMLProtocol", "TestSupport",
                "syncml-example-host",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SyncMLCodecTests",
            dependencies: ["SyncMLCodec", "CSupport", "SyncMLSampleData", "TestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SyncMLRecordsTests",
            dependencies: ["SyncMLRecords", "SyncMLCodec", "CSupport", "SyncMLSampleData", "TestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SyncMLProtocolTests",
            dependencies: ["SyncMLProtocol", "SyncMLCodec", "SyncMLRecords"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SyncMLSampleDataTests",
            dependencies: ["SyncMLSampleData", "SyncMLCodec", "SyncMLRecords"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SyncMLStoreTests",
            dependencies: ["SyncMLStore", "SyncMLPostgres", "SyncMLRecords", "SyncMLProtocol", "SyncMLCodec", "CSupport", "SyncMLSampleData",
                           "TestSupport", "store-crash-helper"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SyncMLServerTests",
            dependencies: [
                "SyncMLServer", "SyncMLStore", "SyncMLCodec", "SyncMLRecords", "SyncMLProtocol",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SyncMLClientTests",
            dependencies: [
                "SyncMLClient", "SyncMLServer", "SyncMLStore", "SyncMLCodec", "SyncMLRecords", "SyncMLProtocol",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Both network adapters against loopback: the listener (HTTP and HTTPS, limits,
        // load) and the client transport (plain, TLS with throwaway certificates made
        // by `openssl`, a CONNECT proxy); `syncml sync` over https.
        .testTarget(
            name: "SyncMLHTTPTests",
            dependencies: [
                "SyncMLHTTP", "SyncMLClient", "SyncMLServer", "SyncMLStore", "SyncMLCodec", "SyncMLRecords",
                "SyncMLProtocol", "SyncMLSampleData", "SyncMLPostgres", "TestSupport", "syncml",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictSettings
        ),
        // Runs the built `syncml` executable (a dependency, so it is built first).
        .testTarget(
            name: "syncmlCLITests",
            dependencies: ["syncml", "syncml-bench", "SyncMLCodec", "SyncMLRecords", "SyncMLClient", "SyncMLHTTP", "TestSupport"],
            exclude: ["Support/dedupe_review.py"],
            swiftSettings: strictSettings
        ),
        // A real SyncML client (SyncEvolution) against `syncml serve`: both run as
        // subprocesses; `syncml` is a dependency so it is built first.
        .testTarget(
            name: "SyncMLInteropTests",
            dependencies: ["syncml", "TestSupport"],
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
                "SyncMLCodec",
                "SyncMLRecords",
                "SyncMLProtocol",
                "SyncMLSampleData",
                "SyncMLStore",
                "SyncMLServer",
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
            dependencies: ["FuzzDriver", "SyncMLCodec"],
            path: "Fuzz/Targets/fuzz-decoder",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "fuzz-records",
            dependencies: ["FuzzDriver", "SyncMLRecords"],
            path: "Fuzz/Targets/fuzz-records",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "fuzz-server",
            dependencies: [
                "FuzzDriver", "SyncMLCodec", "SyncMLProtocol", "SyncMLStore", "SyncMLServer",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Fuzz/Targets/fuzz-server",
            swiftSettings: strictSettings
        ),
    ]
}

import CoreMetrics
import Foundation
import Logging
import Prometheus
import ServiceLifecycle
import SyncMLHTTP
import SyncMLPostgres
import SyncMLServer
import SyncMLStore

/// One `syncml serve`: opens the store and the sockets (so a busy port or a bad
/// certificate fails before anything runs), then runs the services until SIGINT
/// or SIGTERM. The signals are trapped before the port opens (`TerminationSignals`),
/// so one that arrives while the group is still starting is not lost; it then
/// triggers the group's graceful shutdown, which stops the services in reverse order: the sync
/// listener first (it stops accepting, lets requests in flight finish and
/// suspends the sessions cut short, so their clients resume), then compaction
/// and session expiry, the operations endpoints (`/health` says 503 meanwhile),
/// and last the span export (`--otel-endpoint`), which sends what is still queued.
struct ServeRun {
    let settings: ServeSettings

    func run() async throws {
        let signals = TerminationSignals()
        let logger = Logger(label: "syncml.serve")
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(Self.metricsFactory(registry))
        let metrics = MetricsEndpoint { registry.emitToBuffer() }
        var services: [any Service] = []
        if let endpoint = settings.otelEndpoint {
            // First in the group, so it stops last: the spans of the messages answered during the shutdown go out too.
            services.append(try SpanExport.bootstrap(endpoint: endpoint, logLevel: settings.logLevel))
        }

        var http = settings.http
        if let cert = settings.tlsCert, let key = settings.tlsKey {
            do {
                http.tls = try ServerCertificate.load(chain: cert, privateKey: key)
            } catch {
                throw CommandFailure("\(error)")
            }
        }
        if settings.metricsAddress == nil { http.metrics = metrics }
        let store = try StoreOptions.open(settings.db)
        let hasUsers = try await !store.users().isEmpty
        var configuration = settings.engine
        // A PostgreSQL store may have other nodes on it (behind a load balancer): sessions live in the store.
        configuration.sharesSessions = PostgresStore.isPostgresURL(settings.db)
        let engine = SyncServer(store: store, configuration: configuration)
        let listener = try await HTTPListener.start(engine: engine, configuration: http)
        var operationsURL = String(listener.url.dropLast("/sync".count))
        if let address = settings.metricsAddress {
            let operations: OperationsListener
            do {
                operations = try await OperationsListener.start(
                    for: listener, configuration: .init(host: address.host, port: address.port, metrics: metrics))
            } catch {
                await listener.shutdown()
                throw error
            }
            operationsURL = operations.url
            services.append(OperationsService(listener: operations))
        }
        services.append(SessionExpiryService(engine: engine, interval: settings.sessionExpiryInterval))
        if let retention = settings.retention, let interval = settings.compactEvery {
            services.append(CompactionService(engine: engine, policy: retention, interval: interval, logger: logger))
        }
        let clientURL = http.publicURL?.description ?? listener.url
        let banner = Serve.banner(url: listener.url, clientURL: clientURL, host: listener.host, db: StoreOptions.displayName(settings.db), hasUsers: hasUsers,
                                  operationsURL: operationsURL)
        services.append(SyncListenerService(listener: listener, banner: banner))

        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: services, logger: logger))
        let shutdown = Task {
            await signals.next()
            logger.info("shutting down gracefully")
            await group.triggerGracefulShutdown()
        }
        defer { shutdown.cancel() }
        try await group.run()
    }

    /// Prometheus with buckets that fit: messages take milliseconds to seconds, sessions seconds to minutes.
    static func metricsFactory(_ registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["syncml_message_duration_seconds"] = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
        ]
        factory.durationHistogramBuckets["syncml_session_duration_seconds"] = [
            .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
            .seconds(120), .seconds(300), .seconds(600), .seconds(1800),
        ]
        return factory
    }
}

/// The sync listener: prints the banner once the group runs, serves
/// until the graceful shutdown, then stops and suspends the sessions it cut.
struct SyncListenerService: Service {
    let listener: HTTPListener
    let banner: String

    func run() async throws {
        StandardOutput.write(Array(banner.utf8))
        try? await gracefulShutdown()
        await listener.shutdown()
        await listener.engine.suspendAll() // sessions cut by the shutdown can be resumed
    }
}

/// `/health` and `/metrics` on `--metrics-address`, up until everything else has stopped.
struct OperationsService: Service {
    let listener: OperationsListener

    func run() async throws {
        try? await gracefulShutdown()
        await listener.shutdown()
    }
}

/// Drops idle sessions every `interval` (`SyncServer.expireIdleSessions`).
struct SessionExpiryService: Service {
    let engine: SyncServer
    let interval: Duration

    func run() async throws {
        while await Self.pause(interval) {
            await engine.expireIdleSessions()
        }
    }

    /// Sleeps `interval`; false when the graceful shutdown (or a cancellation) cut it short.
    static func pause(_ interval: Duration) async -> Bool {
        do {
            try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            return true
        } catch {
            return false
        }
    }
}

/// Compacts the journal under the retention policy a minute after start (`firstRun`),
/// then every `interval`; a failure is logged and tried again next time.
///
/// Not at once: a restart is when devices cut off come back together (suspended
/// sessions resume), and the first compaction after an upgrade to schema 11 collects
/// every item ever changed; the compaction's steps interleave with syncs anyway,
/// but a minute lets the first sessions run alone, and a server restarted in a loop
/// does not compact at each start.
struct CompactionService: Service {
    let engine: SyncServer
    let policy: RetentionPolicy
    let interval: Duration
    let logger: Logger
    var firstRun: Duration = .seconds(60)

    func run() async throws {
        guard await SessionExpiryService.pause(min(firstRun, interval)) else { return }
        repeat {
            do {
                _ = try await engine.compactJournal(keeping: policy)
            } catch {
                logger.error("compaction failed; trying again at the next run", metadata: ["error": "\(error)"])
            }
        } while await SessionExpiryService.pause(interval)
    }
}

import Foundation
import Logging
import OTel
import ServiceLifecycle

/// `serve --otel-endpoint`: the server's per-message spans (`syncml.message` with
/// `syncml.decode`, `syncml.handle`, `syncml.encode`) exported over OTLP/HTTP by
/// swift-otel, to a collector at a base URL such as `http://collector:4318`
/// (they go to its `/v1/traces`).
///
/// Only tracing is taken from swift-otel: metrics stay with Prometheus and the
/// log with swift-log's handlers. Its standard `OTEL_*` environment variables
/// refine the export as swift-otel reads them (`OTEL_SERVICE_NAME`,
/// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, `…_HEADERS`, `…_COMPRESSION`,
/// `OTEL_TRACES_SAMPLER`, the batch settings…); the flag stands for
/// `OTEL_EXPORTER_OTLP_ENDPOINT`. Without the flag nothing is bootstrapped.
enum SpanExport {
    /// The service name the spans carry unless `OTEL_SERVICE_NAME` says otherwise.
    static let serviceName = "syncml"

    /// Bootstraps the process's tracer with the OTLP/HTTP exporter and returns the
    /// service that sends the batches; it must run in the group, where the graceful
    /// shutdown flushes what is still queued. Call it once, before the `SyncServer`
    /// is made (the server takes the tracer it finds then).
    static func bootstrap(endpoint: String, logLevel: Logger.Level,
                          environment: [String: String] = ProcessInfo.processInfo.environment) throws(CommandFailure) -> any Service {
        if let refusal = unsupportedSetting(in: environment) { throw CommandFailure(refusal) }
        var configuration = OTel.Configuration.default
        configuration.serviceName = serviceName
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        configuration.diagnosticLogger = .custom(Logger(label: "syncml.otel"))
        configuration.diagnosticLogLevel = diagnosticLevel(logLevel)
        // The flag stands for the shared endpoint variable (so it wins over it); the traces-specific one still wins over both.
        configuration.traces.otlpExporter.endpoint = tracesURL(base: endpoint)
        var environment = environment
        environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = nil
        do {
            return try OTel.bootstrap(configuration: configuration, environment: environment)
        } catch {
            throw CommandFailure("cannot export spans to \(endpoint): \(error)")
        }
    }

    /// Where OTLP/HTTP sends traces under a base URL: its `v1/traces`.
    static func tracesURL(base: String) -> String {
        base.hasSuffix("/") ? base + "v1/traces" : base + "/v1/traces"
    }

    /// Settings swift-otel would stop the process on (it traps, not throws, for them), as a
    /// one-line refusal: the gRPC protocol (not built in) and the samplers it does not implement.
    static func unsupportedSetting(in environment: [String: String]) -> String? {
        for key in ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"] {
            guard let value = environment[key] else { continue }
            if value == "grpc" {
                return "\(key)=grpc: syncml exports spans over OTLP/HTTP only (http/protobuf, the default, or http/json)"
            }
            break // the traces-specific one takes precedence, as in swift-otel
        }
        if let sampler = environment["OTEL_TRACES_SAMPLER"], ["jaeger_remote", "parentbased_jaeger_remote", "xray"].contains(sampler) {
            return "OTEL_TRACES_SAMPLER=\(sampler) is not supported: use always_on, always_off, traceidratio or a parentbased_ one of them"
        }
        return nil
    }

    /// swift-otel's own diagnostics (export failures…) at the level the rest of the log uses.
    private static func diagnosticLevel(_ level: Logger.Level) -> OTel.Configuration.LogLevel {
        switch level {
        case .trace: .trace
        case .debug: .debug
        case .info, .notice: .info
        case .warning: .warning
        case .error, .critical: .error
        }
    }
}

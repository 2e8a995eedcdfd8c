import CoreMetrics
import Foundation
import InMemoryTracing
import Logging
import MetricsTestKit
import SyncMLCodec
import SyncMLServer
@testable import SyncMLStore
import Testing
import Tracing

/// What an operator sees of the server role: its metrics (through the
/// swift-metrics API), the per-message timings (debug log and spans), the store
/// health check and compaction.
@Suite("Server: metrics, timings, health and compaction")
struct OperationsTests {
    @Test("a completed slow sync counts one session by outcome and mode, its items in and out, and its duration")
    func completedSession() async throws {
        let metrics = TestMetrics()
        let server = try await TestServer(metrics: metrics)
        let a = FakePhone(server, devID: "a"), b = FakePhone(server, devID: "b")
        a.add(vCard("Anna", "Meier", tel: "+49 30 1111"))
        a.add(vCard("Bernd", "Kurz"))
        let first = try await a.sync(.slow)
        #expect(metrics.counterTotal(label: "syncml_sessions_total", dimensions: [("outcome", "completed"), ("mode", "slow")]) == 1)
        #expect(metrics.counterTotal(label: "syncml_items_received_total", dimensions: [("operation", "add")]) == 2)
        #expect(metrics.counterTotal(label: "syncml_items_sent_total") == 0)
        #expect(metrics.timers(label: "syncml_session_duration_seconds").flatMap(\.values).count == 1)
        #expect(metrics.counterTotal(label: "syncml_sessions_started_total") == 1)

        let second = try await b.sync(.slow)
        #expect(metrics.counterTotal(label: "syncml_sessions_total", dimensions: [("outcome", "completed"), ("mode", "slow")]) == 2)
        #expect(metrics.counterTotal(label: "syncml_items_sent_total", dimensions: [("operation", "add")]) == 2, "b got a's two contacts")
        let messages = metrics.timers(label: "syncml_message_duration_seconds").flatMap(\.values).count
        #expect(messages == first.messages + second.messages, "every message is timed, the challenged first ones too")
    }

    @Test("a conflict is counted; a two-way session is counted under its mode")
    func conflicts() async throws {
        let metrics = TestMetrics()
        let server = try await TestServer(metrics: metrics)
        let a = FakePhone(server, devID: "a"), b = FakePhone(server, devID: "b")
        let luid = a.add(vCard("Anna", "Meier", tel: "+49 30 1111"))
        try await a.sync(.slow)
        try await b.sync(.slow)
        let other = try #require(b.items.keys.first)
        a.edit(luid, vCard("Anna", "Meier", email: "anna@example.com"))
        b.edit(other, vCard("Anna", "Meier", note: "VIP"))
        try await a.sync()
        #expect(metrics.counterTotal(label: "syncml_conflicts_total") == 0)
        try await b.sync()
        #expect(metrics.counterTotal(label: "syncml_conflicts_total") == 1)
        #expect(metrics.counterTotal(label: "syncml_sessions_total", dimensions: [("outcome", "completed"), ("mode", "two-way")]) == 2)
        #expect(metrics.counterTotal(label: "syncml_items_received_total", dimensions: [("operation", "replace")]) >= 1)
    }

    @Test("a session cut mid-sync and suspended by the server's shutdown counts as suspended")
    func suspendedSession() async throws {
        let metrics = TestMetrics()
        let server = try await TestServer(metrics: metrics)
        let phone = FakePhone(server, devID: "phone")
        phone.add(vCard("Anna", "Meier"))
        phone.loseReplyToChanges = true
        _ = try? await phone.sync(.slow)
        #expect(metrics.counterTotal(label: "syncml_sessions_total") == 0, "still running")
        await server.server.suspendAll()
        #expect(metrics.counterTotal(label: "syncml_sessions_total", dimensions: [("outcome", "suspended"), ("mode", "slow")]) == 1)
        await server.server.suspendAll()
        #expect(metrics.counterTotal(label: "syncml_sessions_total") == 1, "a session ends once")
    }

    @Test("a wrong password and a message that is not SyncML are counted by reason; no session is")
    func refusals() async throws {
        let metrics = TestMetrics()
        let server = try await TestServer(metrics: metrics)
        let intruder = FakePhone(server, devID: "intruder")
        intruder.password = "guess"
        intruder.useMD5 = false
        _ = try? await intruder.sync(.slow)
        #expect(metrics.counterTotal(label: "syncml_auth_failures_total", dimensions: [("reason", "invalid")]) >= 1)
        #expect(metrics.counterTotal(label: "syncml_sessions_started_total") == 0)

        let reply = await server.server.handle(SyncRequest(body: Array("<not syncml".utf8), contentType: "application/vnd.syncml+xml", url: server.url))
        #expect(reply.httpStatus == 400)
        #expect(metrics.counterTotal(label: "syncml_messages_refused_total", dimensions: [("reason", "undecodable")]) == 1)
        #expect(metrics.counterTotal(label: "syncml_sessions_total") == 0)
    }

    @Test("a new device's first MD5 message counts as challenged, not invalid; a wrong password as invalid; the log says which")
    func challengedIsNotInvalid() async throws {
        let metrics = TestMetrics()
        let log = LineCollector()
        var logger = Logger(label: "test") { _ in CollectingHandler(collector: log) }
        logger.logLevel = .info
        let server = try await TestServer(metrics: metrics, logger: logger)
        func failures(_ reason: String) -> Int64 {
            metrics.counterTotal(label: "syncml_auth_failures_total", dimensions: [("reason", reason)])
        }

        // First contact: the right password over no nonce (the device has none yet) is answered with a challenge.
        var first = RawMessage(devID: "new-phone")
        first.cred = RawMessage.md5("test", "test", nonce: nil)
        first.commands = [RawMessage.alert()]
        let challenged = try await server.post(first)
        #expect(challenged.statusSummary.first == "SyncHdr 401")
        let nonce = try #require(challenged.status(for: "SyncHdr")?.chal?.meta?.nextNonce)
        #expect(failures("challenged") == 1)
        #expect(failures("invalid") == 0)
        #expect(log.events.contains { $0.metadata["reason"] == "challenged" && $0.message.hasPrefix("authentication challenged") })

        // The retry with the digest over the challenge's nonce is accepted and counts nothing.
        var retry = first
        retry.sessionID = "2"
        retry.cred = RawMessage.md5("test", "test", nonce: nonce)
        #expect(try await server.post(retry).statusSummary.first == "SyncHdr 212")
        #expect(failures("challenged") == 1)
        #expect(failures("invalid") == 0)
        // Its digest replayed (the nonce is used up) proves nothing: invalid.
        retry.sessionID = "3"
        #expect(try await server.post(retry).statusSummary.first == "SyncHdr 401")
        #expect(failures("invalid") == 1)

        // A wrong password over a nonce the server issued was checked and is wrong: invalid.
        let guessNonce = try await server.challenge(devID: "guesser")
        #expect(failures("missing") == 1, "the probe for a challenge carried no credential")
        var guess = RawMessage(devID: "guesser")
        guess.cred = RawMessage.md5("test", "guess", nonce: guessNonce)
        guess.commands = [RawMessage.alert()]
        #expect(try await server.post(guess).statusSummary.first == "SyncHdr 401")
        // So is a wrong password over no nonce, and an unknown user.
        guess.cred = RawMessage.md5("test", "guess", nonce: nil)
        #expect(try await server.post(guess).statusSummary.first == "SyncHdr 401")
        guess.user = "nobody"
        guess.cred = RawMessage.md5("nobody", "test", nonce: nil)
        #expect(try await server.post(guess).statusSummary.first == "SyncHdr 401")
        #expect(failures("invalid") == 4)
        #expect(failures("challenged") == 1)
        #expect(log.events.filter { $0.message == "authentication failed" }.compactMap { $0.metadata["reason"] }
                == ["invalid", "missing", "invalid", "invalid", "invalid"])
    }

    @Test("at debug level each message logs its decode, handle, store and encode times, which add up to its total")
    func timingsInTheLog() async throws {
        let log = LineCollector()
        var logger = Logger(label: "test") { _ in CollectingHandler(collector: log) }
        logger.logLevel = .debug
        let server = try await TestServer(logger: logger)
        let phone = FakePhone(server, devID: "phone")
        for index in 0..<30 { phone.add(vCard("Person\(index)", "Family", tel: "+1 555 01\(index)")) }
        let report = try await phone.sync(.slow)

        let timings = log.events.filter { $0.message == "message timings" }
        #expect(timings.count == report.messages)
        let changes = try #require(timings.first { $0.metadata["items"] == "30" }, "the message with the 30 adds")
        var parts: [Double] = []
        for key in ["decode_ms", "handle_ms", "store_ms", "encode_ms"] {
            let value = try #require(changes.metadata[key].flatMap(Double.init), "\(key)")
            #expect(value >= 0, "\(key)")
            parts.append(value)
        }
        #expect(parts[2] > 0, "its adds were written: the store spent time on them")
        let total = try #require(changes.metadata["total_ms"].flatMap(Double.init))
        #expect(abs(parts.reduce(0, +) - total) < 0.01, "the parts are the whole (to rounding)")
        #expect(changes.metadata["device"] == "phone")
        #expect(changes.metadata["bytes_in"].flatMap(Int.init).map { $0 > 0 } == true)
    }

    @Test("at info level no timings are logged")
    func noTimingsAtInfo() async throws {
        let log = LineCollector()
        var logger = Logger(label: "test") { _ in CollectingHandler(collector: log) }
        logger.logLevel = .info
        let server = try await TestServer(logger: logger)
        let phone = FakePhone(server, devID: "phone")
        phone.add(vCard("Anna", "Meier"))
        try await phone.sync(.slow)
        #expect(!log.events.contains { $0.message == "message timings" })
        #expect(log.events.contains { $0.message == "session completed" })
    }

    @Test("with a tracer each message is a syncml.message span holding decode, handle and encode spans")
    func spans() async throws {
        let tracer = InMemoryTracer()
        let server = try await TestServer(tracer: tracer)
        let phone = FakePhone(server, devID: "phone")
        phone.add(vCard("Anna", "Meier"))
        let report = try await phone.sync(.slow)

        let spans = tracer.finishedSpans
        let roots = spans.filter { $0.operationName == "syncml.message" }
        #expect(roots.count == report.messages)
        for root in roots {
            #expect(root.kind == .server)
            #expect(root.parentSpanID == nil)
            let children = spans.filter { $0.parentSpanID == root.spanID }.map(\.operationName)
            #expect(children.sorted() == ["syncml.decode", "syncml.encode", "syncml.handle"], "\(children)")
        }
        #expect(roots.contains { $0.attributes.get("syncml.items") == .int64(1) }, "the message with the add")
    }

    @Test("the health check answers while the store does, says so when the store fails, and when a probe outlasts its timeout")
    func storeHealth() async throws {
        let server = try await TestServer()
        // A generous budget where the store must answer: a loaded test run can delay any task by seconds.
        let patient = Duration.seconds(120)
        #expect(await server.server.checkStore(timeout: patient) == .answering)

        try await server.store.withDatabase { database throws(StoreError) in try database.execute("ALTER TABLE journal RENAME TO journal_moved") }
        guard case .failing(let message) = await server.server.checkStore(timeout: patient) else {
            Issue.record("a store that cannot read its journal is failing")
            return
        }
        #expect(message.contains("no such table: journal"), "\(message)")

        // A probe that has not answered when the timeout fires (the store held by a long compaction, say):
        // the check answers without it. The probe waits on a stream, so no thread is held meanwhile.
        let (held, release) = AsyncStream<Void>.makeStream()
        let health = await SyncServer.check(timeout: .milliseconds(100)) { for await _ in held {} }
        #expect(health == .notAnswering(within: .milliseconds(100)))
        release.finish()
    }

    @Test("compaction through the server drops old versions and counts them; the store size is a gauge")
    func compaction() async throws {
        let metrics = TestMetrics()
        let server = try await TestServer(metrics: metrics)
        let phone = FakePhone(server, devID: "phone")
        let luid = phone.add(vCard("Anna", "Meier", note: "v0"))
        try await phone.sync(.slow)
        for version in 1...3 {
            phone.edit(luid, vCard("Anna", "Meier", note: "v\(version)"))
            try await phone.sync()
        }
        let report = try await server.server.compactJournal(keeping: RetentionPolicy(keepHistory: .zero))
        #expect(report.removedVersions == 3, "the phone acknowledged the newest: the three before it go")
        #expect(metrics.counterTotal(label: "syncml_compaction_removed_versions_total") == 3)
        #expect(metrics.counterTotal(label: "syncml_compaction_runs_total") == 1)
        await server.server.recordStoreSize()
        let size = try metrics.expectGauge("syncml_store_size_bytes").lastValue
        #expect((size ?? 0) > 0)
    }
}

extension OperationsTests {
    @Test("fast-path rejections of the frame encoder: a counter at 0 from the start, each scrape adds the new ones and logs an error")
    func fastPathRejections() async throws {
        let metrics = TestMetrics()
        let log = LineCollector()
        var logger = Logger(label: "test") { _ in CollectingHandler(collector: log) }
        logger.logLevel = .info
        let server = try await TestServer(metrics: metrics, logger: logger)
        let phone = FakePhone(server, devID: "phone")
        for index in 0..<20 { phone.add(vCard("Person\(index)", "Family", tel: "+1 555 01\(index)")) }
        try await phone.sync(.slow)
        await server.server.recordStoreSize()
        #expect(try metrics.expectCounter("syncml_frame_fast_path_rejections_total").totalValue == 0,
                "the series exists from the start, and a sync's short records pass their read-back check")
        #expect(!log.events.contains { $0.level == .error })

        // What the store's count would say after rejections: only the new ones are added, once.
        await server.server.recordFastPathRejections(total: 2)
        await server.server.recordFastPathRejections(total: 2)
        await server.server.recordFastPathRejections(total: 5)
        #expect(metrics.counterTotal(label: "syncml_frame_fast_path_rejections_total") == 5)
        let errors = log.events.filter { $0.level == .error }
        #expect(errors.map { $0.metadata["records"] } == ["2", "3"], "one error line per scrape that saw new rejections")
    }
}

/// Log events kept for inspection.
final class LineCollector: @unchecked Sendable {
    struct Event {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let lock = NSLock()
    private var stored: [Event] = []

    var events: [Event] { lock.withLock { stored } }

    func append(_ event: Event) { lock.withLock { stored.append(event) } }
}

struct CollectingHandler: LogHandler {
    let collector: LineCollector
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        collector.append(.init(level: event.level, message: event.message.description, metadata: all.mapValues { "\($0)" }))
    }
}

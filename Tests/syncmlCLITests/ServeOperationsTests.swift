import Foundation
import SyncMLCodec
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// One vCard file's content.
private func contact(_ name: String, note: String = "") -> String {
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:\(name) Example\r\nN:Example;\(name);;;\r\n\(note.isEmpty ? "" : "NOTE:\(note)\r\n")END:VCARD\r\n"
}

/// The body of an HTTP/1.0 answer (after the blank line).
private func body(_ response: String) -> String {
    response.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
}

/// A store with user `test` (password `secret`, also in `pw.txt`) and a folder per name.
private func prepare(_ cli: CLI, folders: [String]) async throws {
    #expect(try await cli.run(["user", "add", "--db", "server.sqlite", "test"], input: "secret\n").status == 0)
    try Data("secret\n".utf8).write(to: cli.directory.appendingPathComponent("pw.txt"))
    for folder in folders { try FileManager.default.createDirectory(atPath: cli.path(folder), withIntermediateDirectories: false) }
}

/// `syncml sync` of `folder` as device `device-FOLDER`.
private func sync(_ cli: CLI, port: Int, _ folder: String) async throws -> CLI.Result {
    try await cli.run(["sync", "--url", "http://127.0.0.1:\(port)/sync", "--user", "test", "--password-file", "pw.txt",
                 "--device-id", "device-\(folder)", "--state", "\(folder).sqlite", "--contacts", folder, "--quiet"])
}

/// Reads banner lines until the one starting with `prefix`.
private func bannerLine(_ server: ServeProcess, startingWith prefix: String) async throws -> String {
    while let line = await server.line() {
        if line.hasPrefix(prefix) { return line }
    }
    throw CLIError(message: "no banner line starting with \(prefix)")
}

@Suite("syncml serve for operators: health, metrics, logs, config file, compaction, shutdown")
struct ServeOperationsTests {
    @Test("a running serve answers GET /health with 200 and JSON, and GET /metrics in Prometheus text where a sync moves the counters")
    func healthAndMetrics() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        try await prepare(cli, folders: ["first"])
        for (index, name) in ["Alice", "Bob", "Carol"].enumerated() {
            try Data(contact(name).utf8).write(to: cli.directory.appendingPathComponent("first/\(index).vcf"))
        }
        let server = try ServeProcess(cli, ["--db", cli.path("server.sqlite"), "--port", "0", "--log-level", "warning"])
        defer { server.terminate() }
        let port = try await server.listeningPort()
        #expect(try await bannerLine(server, startingWith: "for operators:") == "for operators: http://127.0.0.1:\(port)/health and http://127.0.0.1:\(port)/metrics (Prometheus)")

        let health = try await httpGet(port: port, path: "/health")
        #expect(health.hasPrefix("HTTP/1.0 200"), "\(health)")
        #expect(health.contains("Content-Type: application/json"))
        #expect(body(health) == "{\"accepting\":true,\"status\":\"ok\",\"store\":\"ok\"}\n")

        let before = try await httpGet(port: port, path: "/metrics")
        #expect(before.hasPrefix("HTTP/1.0 200"), "\(before)")
        #expect(body(before).contains("syncml_store_size_bytes "))
        #expect(!body(before).contains("syncml_sessions_total{"))

        let synced = try await sync(cli, port: port, "first")
        #expect(synced.status == 0, "\(synced.error)")
        let after = body(try await httpGet(port: port, path: "/metrics"))
        #expect(after.contains("syncml_sessions_total{outcome=\"completed\",mode=\"slow\"} 1"), "\(after)")
        #expect(after.contains("syncml_items_received_total{operation=\"add\"} 3"), "\(after)")
        #expect(after.contains("syncml_auth_failures_total{reason=\"challenged\"} 1"), "the first message is challenged: \(after)")
        #expect(!after.contains("syncml_auth_failures_total{reason=\"invalid\"}"), "no wrong password")
        #expect(after.contains("syncml_message_duration_seconds_bucket{le="))
        let stopped = await server.stop()
        #expect(stopped.status == 0)
    }

    @Test("--metrics-address serves /metrics and /health there, and /metrics no longer on the public port")
    func metricsAddress() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        let server = try ServeProcess(cli, ["--db", cli.path("server.sqlite"), "--port", "0", "--metrics-address", "127.0.0.1:0"])
        defer { server.terminate() }
        let port = try await server.listeningPort()
        let line = try await bannerLine(server, startingWith: "for operators:")
        let prefix = "for operators: http://127.0.0.1:"
        #expect(line.hasPrefix(prefix), "\(line)")
        let operationsPort = try #require(Int(line.dropFirst(prefix.count).prefix { $0.isNumber }))
        #expect(operationsPort != port)

        #expect(try await httpGet(port: port, path: "/metrics").hasPrefix("HTTP/1.0 404"))
        #expect(try await httpGet(port: port, path: "/health").hasPrefix("HTTP/1.0 200"))
        let metrics = try await httpGet(port: operationsPort, path: "/metrics")
        #expect(metrics.hasPrefix("HTTP/1.0 200") && metrics.contains("syncml_store_size_bytes"), "\(metrics)")
        #expect(try await httpGet(port: operationsPort, path: "/health").hasPrefix("HTTP/1.0 200"))
        #expect(try await httpGet(port: operationsPort, path: "/sync").hasPrefix("HTTP/1.0 404"))
        let stopped = await server.stop()
        #expect(stopped.status == 0)
    }

    @Test("--log-format json writes one JSON object per line: time, level, label, message, metadata")
    func jsonLog() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        let server = try ServeProcess(cli, ["--db", cli.path("server.sqlite"), "--port", "0", "--log-format", "json", "--log-level", "debug"])
        let port = try await server.listeningPort()
        _ = try await httpGet(port: port, path: "/sync")
        let stopped = await server.stop()
        #expect(stopped.status == 0)
        let lines = stopped.error.split(separator: "\n")
        #expect(lines.count >= 3, "\(stopped.error)")
        var messages: [String] = []
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
            #expect(Set(object.keys) == ["time", "level", "label", "message", "metadata"], "\(line)")
            #expect((object["time"] as? String).map { $0.hasSuffix("Z") && $0.count == 24 } == true, "\(line)")
            #expect(object["metadata"] is [String: Any], "\(line)")
            messages.append(object["message"] as? String ?? "")
            #expect(line.hasPrefix("{\"time\":"), "keys in the documented order")
        }
        let listening = try #require(lines.first { $0.contains("\"message\":\"listening\"") })
        #expect(listening.contains("\"label\":\"syncml.http\""))
        #expect(listening.contains("\"port\":\"\(port)\""))
        #expect(messages.contains("stopped"))
    }

    @Test("--otel-endpoint exports each message's spans over OTLP/HTTP to the collector's /v1/traces, flushed on SIGTERM; OTEL_SERVICE_NAME names them")
    func spansToACollector() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        try await prepare(cli, folders: ["first"])
        try Data(contact("Alice").utf8).write(to: cli.directory.appendingPathComponent("first/alice.vcf"))
        let collector = try FakeCollector()
        defer { collector.stop() }
        let endpoint = "http://127.0.0.1:\(collector.port)"

        // The standard variable alone exports nothing: the flag turns the export on.
        let plain = try ServeProcess(cli, ["--db", cli.path("server.sqlite"), "--port", "0", "--log-level", "warning"],
                                     environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": endpoint])
        defer { plain.terminate() }
        #expect(try await sync(cli, port: try await plain.listeningPort(), "first").status == 0)
        #expect(await plain.stop().status == 0)
        #expect(collector.requests.isEmpty)

        let server = try ServeProcess(cli, ["--db", cli.path("server.sqlite"), "--port", "0", "--log-level", "warning", "--otel-endpoint", endpoint],
                                      environment: ["OTEL_SERVICE_NAME": "syncml-under-test"])
        defer { server.terminate() }
        let synced = try await sync(cli, port: try await server.listeningPort(), "first")
        #expect(synced.status == 0, "\(synced.error)")
        let stopped = await server.stop()
        #expect(stopped.status == 0, "\(stopped.error)")
        #expect(!stopped.error.contains("error"), "\(stopped.error)")

        let requests = collector.requests
        #expect(!requests.isEmpty, "the queued spans are sent when the server stops")
        #expect(requests.allSatisfy { $0.path == "/v1/traces" }, "\(requests.map(\.path))")
        for name in ["syncml.message", "syncml.decode", "syncml.handle", "syncml.encode", "syncml.msg_id", "syncml.bytes_in", "syncml-under-test"] {
            #expect(requests.contains { $0.contains(name) }, "\(name)")
        }

        // An endpoint that is no URL, and the gRPC protocol (not built in), are refused before anything starts.
        let bad = try await cli.run(["serve", "--db", "server.sqlite", "--port", "0", "--otel-endpoint", "collector:4318"])
        #expect(bad.status == 64)
        #expect(bad.error.hasPrefix("Error: --otel-endpoint must be an http:// or https:// URL"), "\(bad.error)")
        let grpc = try ServeProcess(cli, ["--db", cli.path("server.sqlite"), "--port", "0", "--otel-endpoint", endpoint],
                                    environment: ["OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"])
        let refused = await grpc.finish()
        #expect(refused.status == 1)
        #expect(refused.error == "syncml: OTEL_EXPORTER_OTLP_PROTOCOL=grpc: syncml exports spans over OTLP/HTTP only (http/protobuf, the default, or http/json)\n")
        #expect(await grpc.line() == nil, "nothing was served")
    }

    @Test("a config file sets what no flag gives; a flag overrides it; bad or unknown settings are one line and exit 64")
    func configFile() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        try Data("""
            # serve.toml
            db = "\(cli.path("server.sqlite"))"
            port = 0
            log-format = "json"   # for the collector
            max-body-size = 100
            keep-history = "30d"

            """.utf8).write(to: cli.directory.appendingPathComponent("serve.toml"))
        let oversized = "POST /sync HTTP/1.0\r\nContent-Type: application/vnd.syncml+xml\r\nContent-Length: 150\r\n\r\n" + String(repeating: "x", count: 150)

        // From the file alone: 100 bytes at most, JSON logs.
        let fromFile = try ServeProcess(cli, ["--config", "serve.toml"])
        let port = try await fromFile.listeningPort()
        #expect(try await exchange(port: port, sending: oversized).hasPrefix("HTTP/1.0 413"))
        let fileRun = await fromFile.stop()
        #expect(fileRun.status == 0)
        #expect(fileRun.error.hasPrefix("{\"time\":"), "\(fileRun.error)")
        #expect(FileManager.default.fileExists(atPath: cli.path("server.sqlite")), "the store named in the file")

        // Flags win: 200 bytes pass the limit (the engine answers), text logs.
        let flagged = try ServeProcess(cli, ["--config", "serve.toml", "--max-body-size", "200", "--log-format", "text"])
        let flaggedPort = try await flagged.listeningPort()
        let answer = try await exchange(port: flaggedPort, sending: oversized)
        #expect(answer.hasPrefix("HTTP/1.0 400"), "the engine's answer to a body that is not SyncML: \(answer)")
        let flagRun = await flagged.stop()
        #expect(flagRun.status == 0)
        #expect(!flagRun.error.contains("{\"time\":"), "\(flagRun.error)")

        let cases: [(String, String)] = [
            ("max-connections = 0\n", "Error: config file bad.toml, line 1: max-connections must be positive"),
            ("max-body-in-flight = 0\n", "Error: config file bad.toml, line 1: max-body-in-flight must be positive"),
            ("port = \"eighty\"\n", "Error: config file bad.toml, line 1: port must be a whole number"),
            ("keep-history = \"soon\"\n", "Error: config file bad.toml, line 1: keep-history must be a number and a unit"),
            ("\n# fine\nverbose = true\n", "Error: config file bad.toml, line 3: unknown setting 'verbose'"),
            ("log-level = debug\n", "Error: config file bad.toml, line 1: 'debug' is not a value: put text in quotes"),
            ("[serve]\n", "Error: config file bad.toml, line 1: sections are not used"),
            ("port = 1\nport = 2\n", "Error: config file bad.toml, line 2: port is set twice"),
        ]
        for (text, message) in cases {
            try Data(text.utf8).write(to: cli.directory.appendingPathComponent("bad.toml"))
            let result = try await cli.run(["serve", "--config", "bad.toml"])
            #expect(result.status == 64, "\(text): \(result.status) \(result.error)")
            #expect(result.output.isEmpty)
            #expect(result.error.hasPrefix(message), "\(text): \(result.error)")
        }
        let missing = try await cli.run(["serve", "--config", "nowhere.toml"])
        #expect(missing.status == 64)
        #expect(missing.error.hasPrefix("Error: cannot read config file nowhere.toml"), "\(missing.error)")
        let overridden = try await cli.run(["serve", "--config", "bad.toml", "--port", "0", "--max-connections", "0"])
        #expect(overridden.error.hasPrefix("Error: config file bad.toml, line 2: port is set twice"), "the file is read even when flags override it")
    }

    @Test("engine limits from the config file reach the server: more items than max-items-per-message are answered 413")
    func engineLimits() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        try Data("max-items-per-message = 1\nsession-timeout = 60\nmax-sessions-per-user = 2\n".utf8)
            .write(to: cli.directory.appendingPathComponent("limits.toml"))
        let server = try ServeProcess(cli, ["--config", "limits.toml", "--db", cli.path("server.sqlite"), "--port", "0"])
        let port = try await server.listeningPort()
        let url = "http://127.0.0.1:\(port)/sync"
        let adds: [Command] = (1...2).map { index in
            .add(ItemCommand(cmdID: "\(index + 1)", meta: Meta(type: "text/vcard"), items: [Item(source: Location("\(index)"), data: .text(contact("N\(index)")))]))
        }
        let sync = Sync(cmdID: "1", target: Location("contacts"), source: Location("./contacts"), commands: adds)
        let message = SyncMLMessage(header: SyncHeader(version: .v1_2, sessionID: "1", msgID: "1", target: Location(url), source: Location("dev")),
                                    commands: [.sync(sync)])
        let bytes = message.encoded(as: .xml)
        let head = "POST /sync HTTP/1.0\r\nContent-Type: application/vnd.syncml+xml\r\nContent-Length: \(bytes.count)\r\n\r\n"
        let answer = try await exchange(port: port, sending: head + String(decoding: bytes, as: UTF8.self))
        #expect(answer.hasPrefix("HTTP/1.0 413"), "\(answer)")
        #expect(answer.contains("message with 2 items; at most 1 are accepted"), "\(answer)")
        let stopped = await server.stop()
        #expect(stopped.status == 0)
    }

    @Test("--max-body-size also caps the MaxMsgSize the server announces: a client that follows it is never answered 413")
    func bodyLimitIsAnnounced() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        #expect(try await cli.run(["user", "add", "--db", "server.sqlite", "test"], input: "secret\n").status == 0)
        try Data("secret\n".utf8).write(to: cli.directory.appendingPathComponent("pw.txt"))
        // About 60 kB of contacts: one message by the client's own 150 kB limit, three or more by the server's 20 kB.
        #expect(try await cli.run(["generate", "vcards", "--count", "100", "--directory", "book"]).status == 0)
        let server = try ServeProcess(cli, ["--db", cli.path("server.sqlite"), "--port", "0", "--log-level", "warning", "--max-body-size", "20000"])
        let url = "http://127.0.0.1:\(try await server.listeningPort())/sync"
        let synced = try await cli.sync(url, "book", ["--json"])
        #expect(synced.status == 0, "\(synced.error)")
        #expect(synced.output.contains("\"added\":100"), "\(synced.output)")
        #expect(await server.stop().status == 0)
    }

    @Test("syncml compact frees replaced versions every device has, never one a device has not acknowledged; one line, or --json")
    func compact() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        try await prepare(cli, folders: ["first", "second"])
        let file = cli.directory.appendingPathComponent("first/anna.vcf")
        try Data(contact("Anna", note: "v1").utf8).write(to: file)
        let server = try ServeProcess(cli, ["--db", cli.path("server.sqlite"), "--port", "0", "--log-level", "warning"])
        let port = try await server.listeningPort()
        // Versions 1 and 2 reach both devices; version 3 only the first (the second never syncs again).
        #expect(try await sync(cli, port: port, "first").status == 0)
        try Data(contact("Anna", note: "v2").utf8).write(to: file)
        #expect(try await sync(cli, port: port, "first").status == 0)
        #expect(try await sync(cli, port: port, "second").status == 0)
        try Data(contact("Anna", note: "v3").utf8).write(to: file)
        #expect(try await sync(cli, port: port, "first").status == 0)
        let stopped = await server.stop()
        #expect(stopped.status == 0)

        let history = ["history", "--db", "server.sqlite", "--device", "device-first", "anna.vcf", "--json"]
        func versions() async throws -> Int {
            let result = try await cli.run(history)
            let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
            return (object?["versions"] as? [Any])?.count ?? -1
        }
        #expect(try await versions() == 3)

        let recent = try await cli.run(["compact", "--db", "server.sqlite"])
        #expect(recent.status == 0, "\(recent.error)")
        #expect(recent.output == "compacted 1 datastore (history kept: 90d, at least 1 version): removed 0 versions, 0 bytes\n")

        let all = try await cli.run(["compact", "--db", "server.sqlite", "--keep-history", "0s", "--json"])
        #expect(all.status == 0, "\(all.error)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(all.output.utf8)) as? [String: Any])
        #expect(report["removed_versions"] as? Int == 1, "only version 1: version 2 is the second device's base, 3 it has not acknowledged")
        #expect((report["removed_bytes"] as? Int ?? 0) > 0)
        #expect(report["keep_history"] as? String == "0s")
        #expect(report["datastores"] as? Int == 1)
        #expect(try await versions() == 2)

        let missing = try await cli.run(["compact", "--db", "typo.sqlite"])
        #expect(missing.status == 1)
        #expect(missing.error == "syncml: no store at typo.sqlite (nothing was created; check the path)\n")
        #expect(!FileManager.default.fileExists(atPath: cli.path("typo.sqlite")))
        let bad = try await cli.run(["compact", "--db", "server.sqlite", "--keep-history", "ninety days"])
        #expect(bad.status == 64)
        #expect(bad.error.hasPrefix("Error: --keep-history must be a number and a unit"))
    }

    @Test("SIGTERM in the middle of a sync suspends the session, so the device can resume it")
    func shutdownSuspends() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        try await prepare(cli, folders: [])
        let server = try ServeProcess(cli, ["--db", cli.path("server.sqlite"), "--port", "0", "--log-level", "warning"])
        let port = try await server.listeningPort()
        let url = "http://127.0.0.1:\(port)/sync"
        let device = "raw-device"
        let credential = Credential(meta: Meta(format: "b64", type: "syncml:auth-basic"), data: Data("test:secret".utf8).base64EncodedString())

        // Package 1: the alert for a slow sync.
        var header = SyncHeader(version: .v1_2, sessionID: "1", msgID: "1", target: Location(url), source: Location(device, name: "test"))
        header.cred = credential
        let alert = Alert(cmdID: "1", code: .slow, items: [Item(target: Location("contacts"), source: Location("./contacts"),
                                                                 meta: Meta(anchor: Anchor(next: "1")))])
        let reply1 = try await post(SyncMLMessage(header: header, commands: [.alert(alert)]), port: port, path: "/sync")
        #expect(reply1.commands.contains { if case .status(let status) = $0 { status.cmd == "SyncHdr" && status.code.rawValue == 212 } else { false } })
        let respURI = try #require(reply1.header.respURI)
        let path = try #require(URL(string: respURI)).path + "?" + (URL(string: respURI)?.query ?? "")

        // Package 3, first message of several (not final): one contact.
        let add = ItemCommand(cmdID: "3", meta: Meta(type: "text/vcard"), items: [Item(source: Location("1"), data: .text(contact("Anna")))])
        let sync = Sync(cmdID: "2", target: Location("contacts"), source: Location("./contacts"), commands: [.add(add)])
        header = SyncHeader(version: .v1_2, sessionID: "1", msgID: "2", target: Location(url), source: Location(device, name: "test"))
        var message = SyncMLMessage(header: header, commands: [.sync(sync)])
        message.isFinal = false
        _ = try await post(message, port: port, path: path)

        let stopped = await server.stop()
        #expect(stopped.status == 0)
        let sessions = try await cli.run(["sessions", "--db", "server.sqlite", "--json"])
        #expect(sessions.status == 0, "\(sessions.error)")
        let list = try #require((try JSONSerialization.jsonObject(with: Data(sessions.output.utf8)) as? [String: Any])?["sessions"] as? [[String: Any]])
        let session = try #require(list.first { $0["device"] as? String == device }, "\(sessions.output)")
        #expect(session["state"] as? String == "suspended", "\(session)")
        #expect(session["adds"] as? Int == 1)
    }
}

/// POSTs `message` as XML on a fresh HTTP/1.0 connection and decodes the answer.
private func post(_ message: SyncMLMessage, port: Int, path: String) async throws -> SyncMLMessage {
    let bytes = message.encoded(as: .xml)
    let head = "POST \(path) HTTP/1.0\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/vnd.syncml+xml\r\nContent-Length: \(bytes.count)\r\n\r\n"
    let response = try await exchange(port: port, sending: head + String(decoding: bytes, as: UTF8.self))
    guard response.hasPrefix("HTTP/1.0 200") else { throw CLIError(message: "server answered: \(response)") }
    return try SyncMLMessage(decoding: Array(body(response).utf8))
}

import Logging
import SyncMLCodec
import SyncMLProtocol
import SyncMLStore

/// Device information both ways: the client's DevInf (Put, or Results to the
/// server's Get) is kept in the store for its later sessions; a Get for the
/// server's is answered with `ServerDevInf`.
extension ServerSession {
    func receive(put: Exchange, msgID: String, reply: inout ReplyBuilder) async {
        var code = StatusCode.ok
        if case .devInf(let info)? = put.items.first?.data {
            code = await keepDevInf(info)
        } else {
            code = .optionalFeatureNotSupported
        }
        if !put.noResp {
            reply.status(msgRef: msgID, cmdRef: put.cmdID, cmd: "Put", code: code, sourceRefs: put.items.compactMap { $0.source?.locURI })
        }
    }

    /// The client's DevInf, answering our Get. No Status is owed for Results in DS 1.2, but
    /// SyncEvolution's peer sends one; we acknowledge it the same way.
    func receive(results: Results, msgID: String, reply: inout ReplyBuilder) async {
        var code = StatusCode.ok
        if case .devInf(let info)? = results.items.first?.data { code = await keepDevInf(info) }
        reply.status(msgRef: msgID, cmdRef: results.cmdID, cmd: "Results", code: code, sourceRefs: results.items.compactMap { $0.source?.locURI })
    }

    func receive(get: Exchange, msgID: String, reply: inout ReplyBuilder) {
        let target = get.items.first?.target?.locURI ?? ""
        let isDevInf = target.lowercased().hasPrefix("./devinf") || target.lowercased().hasPrefix("devinf")
        reply.status(msgRef: msgID, cmdRef: get.cmdID, cmd: "Get", code: isDevInf ? .ok : .notFound, targetRefs: [target])
        guard isDevInf else { return }
        let results = Results(cmdID: reply.nextCmdID(), msgRef: msgID, cmdRef: get.cmdID,
                              meta: Meta(type: "application/vnd.syncml-devinf+xml"), targetRefs: [],
                              items: [Item(source: Location(target), data: .devInf(ServerDevInf.devInf(version: conversation.version)))])
        reply.append(.results(results))
    }

    static func decodeStoredDevInf(_ bytes: [UInt8]) -> DevInf? {
        guard let message = try? SyncMLMessage(decoding: bytes) else { return nil }
        for command in message.commands {
            if case .put(let put) = command, case .devInf(let info)? = put.items.first?.data { return info }
        }
        return nil
    }

    /// `info` as the store keeps it (a Put of it, in XML): what `decodeStoredDevInf` reads back.
    func storedForm(of info: DevInf) -> [UInt8] {
        let message = SyncMLMessage(
            header: SyncHeader(version: conversation.version, sessionID: clientSessionID, msgID: "1", target: Location(conversation.serverURI),
                               source: Location(deviceURI)),
            commands: [.put(Exchange(cmdID: "1", meta: Meta(type: "application/vnd.syncml-devinf+xml"),
                                     items: [Item(source: Location(conversation.version.devInfURI), data: .devInf(info))]))])
        return message.encoded(as: .xml)
    }

    /// Uses `info` for this session and stores it for the device's next ones. A store that fails
    /// answers 500: this session still uses it, and the device's next session asks for it again (Get).
    private func keepDevInf(_ info: DevInf) async -> StatusCode {
        negotiation.clientDevInf = info
        guard let deviceID = negotiation.deviceID else { return .ok }
        do {
            try await store.setDevInf(storedForm(of: info), for: deviceID)
            return .ok
        } catch {
            logger.error("storing the client's DevInf failed", metadata: ["device": "\(deviceURI)", "error": "\(error)"])
            return .commandFailed
        }
    }
}

import Logging
import SyncMLCodec
import SyncMLProtocol
import SyncMLStore

/// The client's answers to what the server sent: a status per item command
/// (what it confirmed is not sent again on resume, what it refused keeps the
/// journal unacknowledged), and the Map of the LUIDs it gave the server's adds.
extension ServerSession {
    func acknowledge(_ status: Status) {
        guard let sent = outgoing.sentItems.answer(status) else { return }
        switch status.code.rawValue {
        case 213:
            break // a chunk; the item's last chunk gets the item's status
        case 200...299, 418:
            sent.datastore.confirm(sent.guid, sequence: sent.sequence)
        default:
            sent.datastore.failures += 1
            logger.notice("client refused an item", metadata: ["datastore": "\(sent.datastore.name)", "guid": "\(sent.guid)",
                                                              "status": "\(status.code)"])
        }
    }

    func receive(_ map: Map, msgID: String, reply: inout ReplyBuilder) async {
        guard let datastore = datastore(forURI: map.target.locURI), let deviceID = negotiation.deviceID else {
            reply.status(msgRef: msgID, cmdRef: map.cmdID, cmd: "Map", code: .notFound,
                         targetRefs: [map.target.locURI], sourceRefs: [map.source.locURI])
            return
        }
        var code = StatusCode.ok
        do {
            let unknown = try await store.map(map.items.map { ($0.source.locURI, $0.target.locURI) }, device: deviceID, datastore: datastore.id)
            if !unknown.isEmpty {
                logger.notice("map names unknown items", metadata: ["guids": "\(unknown.prefix(5).joined(separator: ","))"])
            }
        } catch {
            code = .commandFailed
            logger.error("map failed", metadata: ["datastore": "\(datastore.name)", "error": "\(error)"])
        }
        reply.status(msgRef: msgID, cmdRef: map.cmdID, cmd: "Map", code: code,
                     targetRefs: [map.target.locURI], sourceRefs: [map.source.locURI])
    }
}

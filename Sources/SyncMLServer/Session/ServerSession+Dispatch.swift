import SyncMLCodec

/// Hands each command of a client's message to the room that answers it.
extension ServerSession {
    /// One command of the client's message, answered in `reply`.
    func receive(_ command: Command, msgID: String, reply: inout ReplyBuilder) async {
        switch command {
        case .status(let status):
            if !refusedMode(status) { acknowledge(status) }
        case .alert(let alert):
            await receive(alert, msgID: msgID, reply: &reply)
        case .put(let put):
            await receive(put: put, msgID: msgID, reply: &reply)
        case .get(let get):
            receive(get: get, msgID: msgID, reply: &reply)
        case .results(let results):
            await receive(results: results, msgID: msgID, reply: &reply)
        case .sync(let sync):
            await receive(sync, msgID: msgID, reply: &reply)
        case .map(let map):
            await receive(map, msgID: msgID, reply: &reply)
        case .atomic(let group), .sequence(let group):
            if !group.noResp {
                reply.status(msgRef: msgID, cmdRef: group.cmdID, cmd: command.name, code: .ok)
            }
            for inner in group.commands { await receive(inner, msgID: msgID, reply: &reply) }
        case .add(let c), .replace(let c), .delete(let c), .copy(let c), .move(let c):
            // Item commands outside a Sync name no datastore.
            if !c.noResp { reply.status(msgRef: msgID, cmdRef: c.cmdID, cmd: command.name, code: .commandNotAllowed) }
        case .exec(let exec):
            if !exec.noResp { reply.status(msgRef: msgID, cmdRef: exec.cmdID, cmd: "Exec", code: .optionalFeatureNotSupported) }
        case .search(let search):
            if !search.noResp { reply.status(msgRef: msgID, cmdRef: search.cmdID, cmd: "Search", code: .optionalFeatureNotSupported) }
        case .unknown:
            break
        }
    }
}

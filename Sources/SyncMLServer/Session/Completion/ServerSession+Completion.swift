import Logging
import SyncMLCodec
import SyncMLProtocol
import SyncMLStore

/// The end of a session: completed (anchors saved, journal acknowledged,
/// the session log line), suspended for a resume, or abandoned. A store
/// failure here is logged with its cause and leaves the device's anchors as
/// the client will find them: a completion that failed answers the client's
/// last message 500, so it keeps its anchors too.
extension ServerSession {
    /// The client confirmed everything: anchors saved, journal acknowledged.
    /// False when the store could not save them or could not end the store session.
    func complete() async -> Bool {
        guard let deviceID = negotiation.deviceID else { return true }
        var saved = true
        var summary: [String] = []
        for sent in outgoing.sentItems.unanswered { sent.datastore.failures += 1 } // never answered: not acknowledged
        for datastore in datastores {
            summary.append(Self.summary(of: datastore))
            guard !datastore.failed else { continue }
            do {
                try await store.finishSync(deviceID, datastore: datastore.id, last: datastore.anchors.client.next, next: datastore.anchors.server.next,
                                           clientType: datastore.clientItemType,
                                           acknowledgeThrough: datastore.failures == 0 ? datastore.acknowledgeThrough : nil)
            } catch {
                saved = false
                logger.error("saving anchors failed", metadata: ["datastore": "\(datastore.name)", "error": "\(error)"])
            }
        }
        if !(await endStoreSession(succeeded: !datastores.contains { $0.failed })) { saved = false }
        phase = .finished
        let elapsed = ContinuousClock.now - startTime
        logger.info("session completed", metadata: [
            "device": "\(deviceURI)", "user": "\(user)", "datastores": "\(summary.joined(separator: "; "))",
            "duration_ms": "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
        ])
        return saved
    }

    /// One datastore in the session log line: mode, counts both ways, what went wrong.
    private static func summary(of datastore: DatastoreState) -> String {
        "\(datastore.name):\(datastore.mode)\(datastore.resumed ? " resumed" : "") in[\(datastore.received)] out[\(datastore.sent)]"
            + (datastore.failures > 0 ? " failures=\(datastore.failures)" : "")
            + (datastore.heldDeletes > 0 ? " held_deletes=\(datastore.heldDeletes)" : "") + (datastore.failed ? " FAILED" : "")
    }

    /// The session was dropped unfinished (timeout, or the device started
    /// another): anchors are not saved, so the next sync repeats what is
    /// unconfirmed; once the sync had begun, the session is kept for a resume.
    func abandon() async {
        guard !isEnded else { return }
        logger.notice("session abandoned", metadata: ["device": "\(deviceURI)", "phase": "\(phase.rawValue)"])
        switch phase {
        case .clientSync, .serverSync, .mapping:
            await suspend()
        default:
            await endStoreSession(succeeded: false)
            abandoned = true
            phase = .failed
        }
    }

    /// Saves what a resume needs (see `ServerResumeState`) and ends the session as suspended.
    func suspend() async {
        await flushPendingWrites()
        let resumable = datastores.filter { !$0.failed }
        guard let storeSession = negotiation.storeSession, !resumable.isEmpty else {
            await endStoreSession(succeeded: false)
            phase = .failed
            return
        }
        do {
            try await store.suspendSession(storeSession, resumeState: ServerResumeState(resumable).encoded())
            logger.info("session suspended", metadata: ["device": "\(deviceURI)", "user": "\(user)",
                                                        "datastores": "\(resumable.map(\.name).joined(separator: ","))"])
            phase = .suspended
        } catch {
            logger.error("saving the resume state failed", metadata: ["device": "\(deviceURI)", "error": "\(error)"])
            await endStoreSession(succeeded: false)
            phase = .failed
        }
    }

    /// Ends the store session, if one was begun. A failure is logged with its cause and returns
    /// false; the session's changes stay journaled (and undoable) either way.
    @discardableResult
    private func endStoreSession(succeeded: Bool) async -> Bool {
        guard let storeSession = negotiation.storeSession else { return true }
        do {
            try await store.endSession(storeSession, succeeded: succeeded)
            return true
        } catch {
            logger.error("ending the store session failed", metadata: [
                "device": "\(deviceURI)", "session": "\(storeSession.rawValue)", "succeeded": "\(succeeded)", "error": "\(error)",
            ])
            return false
        }
    }
}

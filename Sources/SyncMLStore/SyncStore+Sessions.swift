// MARK: Sessions: the unit of suspend/resume and of undo

extension SyncStore {
    /// Starts a session; the changes applied under it are journaled with it
    /// (and undone together). A sync session has a `device`; a server-side
    /// session (`kind` "import", say) has none.
    public func beginSession(device: DeviceID?, sessionKey: String? = nil, kind: String = "sync") throws(StoreError) -> SessionID {
        SessionID(rawValue: try database.insert("INSERT INTO sessions(device_id, session_key, kind, state, started) VALUES (?, ?, ?, ?, ?)",
                                                [.id(device), sessionKey.map { .text($0) } ?? .null, .text(kind), .state(.active), .integer(nowMillis)],
                                                returning: "id"))
    }

    /// Saves the engine's state so the session can be resumed (SyncML suspend/resume).
    public func suspendSession(_ session: SessionID, resumeState: [UInt8]) throws(StoreError) {
        let changed = try database.run("UPDATE sessions SET state = ?, resume_state = ? WHERE id = ? AND state IN (?, ?)",
                                       [.state(.suspended), .blob(resumeState), .integer(session.rawValue), .state(.active), .state(.suspended)])
        guard changed == 1 else { throw StoreError(.notFound, "no active session \(session.rawValue)") }
    }

    /// The device's most recent suspended session, if any.
    public func suspendedSession(device: DeviceID) throws(StoreError) -> SuspendedSession? {
        try database.first("SELECT id, session_key, resume_state FROM sessions WHERE device_id = ? AND state = ? ORDER BY id DESC LIMIT 1",
                           [.integer(device.rawValue), .state(.suspended)]) { row in
            SuspendedSession(id: SessionID(rawValue: row.integer(0)), sessionKey: row.optionalText(1), resumeState: row.blob(2))
        }
    }

    /// Marks a suspended session active again.
    public func resumeSession(_ session: SessionID) throws(StoreError) {
        let changed = try database.run("UPDATE sessions SET state = ? WHERE id = ? AND state = ?",
                                       [.state(.active), .integer(session.rawValue), .state(.suspended)])
        guard changed == 1 else { throw StoreError(.notFound, "no suspended session \(session.rawValue)") }
    }

    /// Ends a session (`succeeded: false` for an aborted one; its applied changes stay journaled and undoable).
    public func endSession(_ session: SessionID, succeeded: Bool = true) throws(StoreError) {
        try database.run("UPDATE sessions SET state = ?, ended = ?, resume_state = NULL WHERE id = ?",
                         [.state(succeeded ? .completed : .failed), .integer(nowMillis), .integer(session.rawValue)])
    }

    /// The state of a session; nil for an unknown one.
    public func sessionState(_ session: SessionID) throws(StoreError) -> SessionState? {
        try database.first("SELECT state FROM sessions WHERE id = ?", [.integer(session.rawValue)]) { row throws(StoreError) in
            try Self.sessionState(row.text(0))
        }
    }
}

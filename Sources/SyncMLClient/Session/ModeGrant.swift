import SyncMLCodec
import SyncMLProtocol
/// Whether the client takes the mode a server grants a datastore. The server
/// decides the mode, and a refresh or one-way from the server, or a slow sync,
/// rewrites the host's records: the client accepts only what it asked for —
/// the user's mode, slow when it has no anchors, the mode of a suspended
/// session it asked to resume — and a slow sync the server demands (it lost
/// its anchors: 508) only for an empty datastore or when the user allows it.
struct ModeGrant {
    /// The mode the client's Alert asked for.
    let requested: SyncMode
    /// The mode of the suspended session the client asked to resume, if any.
    let resuming: SyncMode?
    let allowServerSlowSync: Bool

    /// Whether `refusal(of:localRecords:)` depends on how many records the datastore
    /// holds (a count reads the whole mirror: taken only then).
    func weighsLocalRecords(_ granted: SyncMode) -> Bool {
        granted != requested && granted != resuming && granted == .slow && requested.needsAnchors && !allowServerSlowSync
    }

    /// Nil when `granted` is accepted; else why not, naming the modes.
    func refusal(of granted: SyncMode, localRecords: Int) -> String? {
        if granted == requested || granted == resuming { return nil }
        if granted == .slow, requested.needsAnchors {
            if localRecords == 0 || allowServerSlowSync { return nil }
            return "the server demands a slow sync instead of the \(requested) asked for (it lost its sync state), and the datastore holds "
                + "\(localRecords) records: a slow sync can bring back what was deleted or pair records wrongly; "
                + "allow it with --allow-slow-sync (ClientConfiguration.allowServerSlowSync)"
        }
        return "the server granted \(granted), not the \(requested) asked for"
    }
}

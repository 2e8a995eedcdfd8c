import SyncMLCodec
import SyncMLStore

/// The negotiation room's state: who the device is in the store, what the
/// server grants (alerts waiting for the end of the init package), the
/// device's suspended session when it asks to resume, and its DevInf.
struct Negotiation {
    var userID: UserID?
    var deviceID: DeviceID?
    /// The session has its user and device from the store and was admitted (first message answered 212).
    var authenticated = false
    /// The store session this sync's changes are journaled under, begun at the first datastore.
    var storeSession: SessionID?
    /// The server's Alerts to send when the client's init package is complete.
    var pendingAlerts: [DatastoreState] = []
    var clientDevInf: DevInf?
    var askedForDevInf = false
    /// The device's suspended session, once looked up (Alert 225), and what it saved.
    var suspended: (id: SessionID, state: ServerResumeState)?
    var suspendedLookedUp = false
    /// The client sent Alert 224: the session is saved for a resume after this message.
    var suspendRequested = false
}

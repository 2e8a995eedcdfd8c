package import SyncMLCodec

/// Both sides' anchors for one datastore's sync (OMA DS 1.2 §6.1.1), as both
/// roles keep them: the client's Last and Next (its Alert), and the server's
/// (its Alert). A continuing sync needs each side's Last to be what it said
/// was Next at the last sync; each Next becomes the Last once the sync completes.
package struct SyncAnchors: Sendable, Hashable {
    package var client: Anchor
    package var server: Anchor

    package init(client: Anchor = Anchor(), server: Anchor = Anchor()) {
        self.client = client
        self.server = server
    }
}

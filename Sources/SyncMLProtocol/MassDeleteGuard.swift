/// The guard against mass deletes (a wiped phone, a broken plug-in, an
/// emptied CRM table): a sync that would delete more than `share` of a
/// datastore's records, and at least `minimum` of them, is held instead of
/// applied. The server holds deletes that arrive from a client; the client
/// holds deletes its host made, unless the sync is forced.
public struct MassDeleteGuard: Sendable, Hashable {
    /// The part of a datastore's records (0…1) that a sync must delete to be held: 0.5 is half.
    public var share: Double
    /// The fewest deletes that are ever held, so that small datastores sync freely.
    public var minimum: Int

    /// A guard; the defaults hold a sync deleting more than half of a datastore, and at least 10 records.
    public init(share: Double = 0.5, minimum: Int = 10) {
        self.share = share
        self.minimum = minimum
    }

    /// What a client puts in its Alert's Meta (`<EMI>`, the standard's extension
    /// field, which other servers ignore) to say the user confirmed its deletes.
    public static let forceEMI = "syncml:force-deletes"

    /// Whether deleting `deleted` of `total` records is a mass delete.
    public func holds(deleted: Int, of total: Int) -> Bool {
        deleted >= minimum && Double(deleted) > share * Double(total)
    }
}

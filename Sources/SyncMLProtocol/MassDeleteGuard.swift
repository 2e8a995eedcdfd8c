/// The guard against mass deletes (a wiped phone, a broken plug-in, an
/// emptied CRM table): a sync that would delete more than `share` of a
/// datastore's records, and at least `minimum` of them, is held instead of
/// applied. The server holds deletes that arrive from a client; the client
/// holds deletes its host made, unless the sync is forced.
public struct MassDeleteGuard: Sendable, Hashable {
    public var share: Double
    public var minimum: Int

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

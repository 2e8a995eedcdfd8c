/// A SyncML status code (OMA-TS-DS_Protocol §10, RepPro §10). An open set:
/// peers send codes we do not know, so this is a struct, not an enum.
public struct StatusCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The number, e.g. 200.
    public var rawValue: Int
    /// The code with this number.
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// The code with this number.
    public init(_ rawValue: Int) { self.rawValue = rawValue }

    /// 200: the command succeeded.
    public static let ok = StatusCode(200)
    /// 201: the item was added.
    public static let itemAdded = StatusCode(201)
    /// 202: accepted; the outcome comes later.
    public static let acceptedForProcessing = StatusCode(202)
    /// 207: a conflict was resolved by merging both sides.
    public static let conflictResolvedWithMerge = StatusCode(207)
    /// 208: a conflict was resolved; the client's data won.
    public static let conflictResolvedWithClientWinning = StatusCode(208)
    /// 209: a conflict was resolved by keeping both (a duplicate).
    public static let conflictResolvedWithDuplicate = StatusCode(209)
    /// 210: deleted without archiving.
    public static let deleteWithoutArchive = StatusCode(210)
    /// 211: the item to delete was not there.
    public static let itemNotDeleted = StatusCode(211)
    /// 212: authenticated for the rest of the session.
    public static let authenticationAccepted = StatusCode(212)
    /// 213: a chunk of a large object was accepted; the next may follow.
    public static let chunkedItemAccepted = StatusCode(213)
    /// 214: cancelled.
    public static let operationCancelled = StatusCode(214)
    /// 215: not executed (the rest of an Atomic after a failure, say).
    public static let notExecuted = StatusCode(215)
    /// 216: an Atomic was rolled back.
    public static let atomicRollBackOK = StatusCode(216)
    /// 400: malformed or not understood.
    public static let badRequest = StatusCode(400)
    /// 401: the credentials are wrong.
    public static let invalidCredentials = StatusCode(401)
    /// 402: payment required.
    public static let paymentRequired = StatusCode(402)
    /// 403: not allowed.
    public static let forbidden = StatusCode(403)
    /// 404: the target (a datastore, an item) does not exist.
    public static let notFound = StatusCode(404)
    /// 405: the command is not allowed on this target.
    public static let commandNotAllowed = StatusCode(405)
    /// 406: an optional feature the command needs is not supported.
    public static let optionalFeatureNotSupported = StatusCode(406)
    /// 407: credentials are required.
    public static let missingCredentials = StatusCode(407)
    /// 408: the request timed out.
    public static let requestTimeout = StatusCode(408)
    /// 412: the command lacks a required part.
    public static let incompleteCommand = StatusCode(412)
    /// 413: the request is too large.
    public static let requestEntityTooLarge = StatusCode(413)
    /// 415: the data's type or format is not supported.
    public static let unsupportedMediaType = StatusCode(415)
    /// 416: the object is larger than the recipient accepts.
    public static let requestedSizeTooBig = StatusCode(416)
    /// 417: busy; retry later.
    public static let retryLater = StatusCode(417)
    /// 418: the item already exists.
    public static let alreadyExists = StatusCode(418)
    /// 419: a conflict was resolved; the server's data won.
    public static let conflictResolvedWithServerData = StatusCode(419)
    /// 420: the recipient's store is full.
    public static let deviceFull = StatusCode(420)
    /// 424: a large object's chunks do not add up to its declared size.
    public static let sizeMismatch = StatusCode(424)
    /// 500: the command failed.
    public static let commandFailed = StatusCode(500)
    /// 503: the service is unavailable (too many sessions, say).
    public static let serviceUnavailable = StatusCode(503)
    /// 508: a slow sync is required (the anchors do not match).
    public static let refreshRequired = StatusCode(508)
    /// 510: the datastore failed.
    public static let dataStoreFailure = StatusCode(510)
    /// 511: the server failed.
    public static let serverFailure = StatusCode(511)
    /// 513: this SyncML version is not supported.
    public static let protocolVersionNotSupported = StatusCode(513)

    /// The number as text, as it travels in `Data`.
    public var description: String { String(rawValue) }
}

/// A SyncML alert code (OMA-TS-DS_Protocol §8): sync modes 200-205, server
/// alerted 206-210, 221-225 for packaging and suspend/resume. An open set.
public struct AlertCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The number, e.g. 200.
    public var rawValue: Int
    /// The code with this number.
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// The code with this number.
    public init(_ rawValue: Int) { self.rawValue = rawValue }

    /// 100: show the item's text to the user.
    public static let display = AlertCode(100)
    /// 200: two-way sync.
    public static let twoWay = AlertCode(200)
    /// 201: slow sync (all items compared).
    public static let slow = AlertCode(201)
    /// 202: one-way sync from the client.
    public static let oneWayFromClient = AlertCode(202)
    /// 203: refresh from the client (the server's data replaced).
    public static let refreshFromClient = AlertCode(203)
    /// 204: one-way sync from the server.
    public static let oneWayFromServer = AlertCode(204)
    /// 205: refresh from the server (the client's data replaced).
    public static let refreshFromServer = AlertCode(205)
    /// 206: two-way sync, alerted by the server.
    public static let twoWayByServer = AlertCode(206)
    /// 207: one-way from the client, alerted by the server.
    public static let oneWayFromClientByServer = AlertCode(207)
    /// 208: refresh from the client, alerted by the server.
    public static let refreshFromClientByServer = AlertCode(208)
    /// 209: one-way from the server, alerted by the server.
    public static let oneWayFromServerByServer = AlertCode(209)
    /// 210: refresh from the server, alerted by the server.
    public static let refreshFromServerByServer = AlertCode(210)
    /// 221: asks for the results of an earlier command.
    public static let resultAlert = AlertCode(221)
    /// 222: asks for the next message of a package.
    public static let nextMessage = AlertCode(222)
    /// 223: the end of a large object never came.
    public static let noEndOfData = AlertCode(223)
    /// 224: the session is suspended.
    public static let suspend = AlertCode(224)
    /// 225: a suspended session resumes.
    public static let resume = AlertCode(225)

    /// The number as text, as it travels in `Data`.
    public var description: String { String(rawValue) }
}

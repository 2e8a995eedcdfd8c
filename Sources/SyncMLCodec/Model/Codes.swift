/// A SyncML status code (OMA-TS-DS_Protocol §10, RepPro §10). An open set:
/// peers send codes we do not know, so this is a struct, not an enum.
public struct StatusCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public init(_ rawValue: Int) { self.rawValue = rawValue }

    public static let ok = StatusCode(200)
    public static let itemAdded = StatusCode(201)
    public static let acceptedForProcessing = StatusCode(202)
    public static let conflictResolvedWithMerge = StatusCode(207)
    public static let conflictResolvedWithClientWinning = StatusCode(208)
    public static let conflictResolvedWithDuplicate = StatusCode(209)
    public static let deleteWithoutArchive = StatusCode(210)
    public static let itemNotDeleted = StatusCode(211)
    public static let authenticationAccepted = StatusCode(212)
    public static let chunkedItemAccepted = StatusCode(213)
    public static let operationCancelled = StatusCode(214)
    public static let notExecuted = StatusCode(215)
    public static let atomicRollBackOK = StatusCode(216)
    public static let badRequest = StatusCode(400)
    public static let invalidCredentials = StatusCode(401)
    public static let paymentRequired = StatusCode(402)
    public static let forbidden = StatusCode(403)
    public static let notFound = StatusCode(404)
    public static let commandNotAllowed = StatusCode(405)
    public static let optionalFeatureNotSupported = StatusCode(406)
    public static let missingCredentials = StatusCode(407)
    public static let requestTimeout = StatusCode(408)
    public static let incompleteCommand = StatusCode(412)
    public static let requestEntityTooLarge = StatusCode(413)
    public static let unsupportedMediaType = StatusCode(415)
    public static let requestedSizeTooBig = StatusCode(416)
    public static let retryLater = StatusCode(417)
    public static let alreadyExists = StatusCode(418)
    public static let conflictResolvedWithServerData = StatusCode(419)
    public static let deviceFull = StatusCode(420)
    public static let sizeMismatch = StatusCode(424)
    public static let commandFailed = StatusCode(500)
    public static let serviceUnavailable = StatusCode(503)
    public static let refreshRequired = StatusCode(508)
    public static let dataStoreFailure = StatusCode(510)
    public static let serverFailure = StatusCode(511)
    public static let protocolVersionNotSupported = StatusCode(513)

    public var description: String { String(rawValue) }
}

/// A SyncML alert code (OMA-TS-DS_Protocol §8): sync modes 200-205, server
/// alerted 206-210, 221-225 for packaging and suspend/resume. An open set.
public struct AlertCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public init(_ rawValue: Int) { self.rawValue = rawValue }

    public static let display = AlertCode(100)
    public static let twoWay = AlertCode(200)
    public static let slow = AlertCode(201)
    public static let oneWayFromClient = AlertCode(202)
    public static let refreshFromClient = AlertCode(203)
    public static let oneWayFromServer = AlertCode(204)
    public static let refreshFromServer = AlertCode(205)
    public static let twoWayByServer = AlertCode(206)
    public static let oneWayFromClientByServer = AlertCode(207)
    public static let refreshFromClientByServer = AlertCode(208)
    public static let oneWayFromServerByServer = AlertCode(209)
    public static let refreshFromServerByServer = AlertCode(210)
    public static let resultAlert = AlertCode(221)
    public static let nextMessage = AlertCode(222)
    public static let noEndOfData = AlertCode(223)
    public static let suspend = AlertCode(224)
    public static let resume = AlertCode(225)

    public var description: String { String(rawValue) }
}

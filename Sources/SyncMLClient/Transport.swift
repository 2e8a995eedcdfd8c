/// Carries one SyncML message to the server and its answer back.
public protocol SyncTransport: Sendable {
    /// Posts `body` to `url` with `contentType`; returns the reply body and its content type.
    func send(_ body: [UInt8], contentType: String, to url: String) async throws -> TransportReply
}

/// The server's answer to one message, as the transport received it.
public struct TransportReply: Sendable {
    /// The answer's body: a SyncML message when `status` is 200.
    public var body: [UInt8]
    /// Its content type (`application/vnd.syncml+wbxml` or `+xml`).
    public var contentType: String
    /// The HTTP status (200 for a SyncML answer).
    public var status: Int

    /// An answer with `body` of `contentType` and HTTP `status`.
    public init(body: [UInt8], contentType: String, status: Int = 200) {
        self.body = body
        self.contentType = contentType
        self.status = status
    }
}

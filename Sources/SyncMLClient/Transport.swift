/// Carries one SyncML message to the server and its answer back.
public protocol SyncTransport: Sendable {
    /// Posts `body` to `url` with `contentType`; returns the reply body and its content type.
    func send(_ body: [UInt8], contentType: String, to url: String) async throws -> TransportReply
}

public struct TransportReply: Sendable {
    public var body: [UInt8]
    public var contentType: String
    /// The HTTP status (200 for a SyncML answer).
    public var status: Int

    public init(body: [UInt8], contentType: String, status: Int = 200) {
        self.body = body
        self.contentType = contentType
        self.status = status
    }
}

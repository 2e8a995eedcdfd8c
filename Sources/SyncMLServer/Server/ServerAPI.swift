import Foundation

/// One HTTP request as the transport hands it to the engine: the body and
/// what the engine needs from the envelope. No HTTP types here, so any
/// transport (SyncMLServer's NIO server, an in-memory test transport) can call it.
public struct SyncRequest: Sendable {
    /// The message, WBXML or XML.
    public var body: [UInt8]
    /// The `Content-Type` header, parameters included (`application/vnd.syncml+wbxml`).
    public var contentType: String
    /// The absolute URL the client posted to (`http://host:port/sync?sessionid=…`),
    /// built from the Host header and the request target. RespURI is derived from it.
    public var url: String
    /// Which transport connection carried the request (the HTTP server numbers
    /// its connections), or nil when there is none to tell. A client that
    /// ignores RespURI and sends no credentials after its first message may
    /// continue its session only on the connection that session began on: that
    /// is something an attacker outside the connection cannot forge.
    public var connection: UInt64?

    /// A request to hand to the engine; `connection` nil when the transport does not number its connections.
    public init(body: [UInt8], contentType: String, url: String, connection: UInt64? = nil) {
        self.body = body
        self.contentType = contentType
        self.url = url
        self.connection = connection
    }
}

/// The engine's answer: an HTTP status, a content type and a body.
public struct SyncReply: Sendable {
    /// 200 for every SyncML answer (SyncML errors travel as Status codes inside
    /// it); 400 for a body that is not SyncML, 415 for a wrong content type.
    public var httpStatus: Int
    /// The `Content-Type` to answer with: the request's SyncML encoding, or plain text for an error.
    public var contentType: String
    /// The reply's bytes, to send as they are.
    public var body: [UInt8]

    /// A reply; the engine makes these, a host makes its own only for errors of its transport.
    public init(httpStatus: Int, contentType: String, body: [UInt8]) {
        self.httpStatus = httpStatus
        self.contentType = contentType
        self.body = body
    }

    /// A plain-text error reply (for bodies that are not SyncML at all).
    public static func plainText(_ httpStatus: Int, _ text: String) -> SyncReply {
        SyncReply(httpStatus: httpStatus, contentType: "text/plain; charset=utf-8", body: Array((text + "\n").utf8))
    }
}

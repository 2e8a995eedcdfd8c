import Logging
import NIOCore
import NIOEmbedded
@testable import SyncMLHTTP
import Testing

/// The deadline handler alone on an `EmbeddedChannel`, whose clock only moves
/// when the test says so: what runs the clock and what stops it.
@Suite("Request deadline: when the clock runs")
struct RequestDeadlineTests {
    /// A connected channel with the handler (timeout 1 s): its first request's clock runs from here.
    private func connectedChannel() throws -> EmbeddedChannel {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let channel = EmbeddedChannel(handler: RequestDeadlineHandler(timeout: .seconds(1), logger: logger))
        // An embedded channel connects inline: the future is complete, so `wait()` never blocks.
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080)).wait()
        return channel
    }

    private func signal(_ progress: RequestProgress, on channel: EmbeddedChannel) {
        channel.pipeline.triggerUserOutboundEvent(progress, promise: nil)
    }

    private func written(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
        return text
    }

    @Test("a first request still arriving when the deadline passes (counted from accept) gets 408 and the close")
    func firstRequestFromAccept() throws {
        let channel = try connectedChannel()
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(900))
        try channel.writeInbound(ByteBuffer(string: "POST /sync HTTP/1.1\r\n"))
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(100))
        #expect(try written(channel).hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
        #expect(!channel.isActive)
    }

    @Test("once the request is received the clock stops: a client waiting for the engine is never cut")
    func waitingForTheAnswer() throws {
        let channel = try connectedChannel()
        try channel.writeInbound(ByteBuffer(string: "POST /sync HTTP/1.1\r\n\r\n"))
        signal(.began, on: channel)
        signal(.received, on: channel)
        channel.embeddedEventLoop.advanceTime(by: .seconds(30))
        #expect(channel.isActive)
        #expect(try written(channel).isEmpty)
        _ = try channel.finish()
    }

    @Test("between keep-alive requests no clock runs; the next request's first byte starts it")
    func betweenRequests() throws {
        let channel = try connectedChannel()
        signal(.began, on: channel)
        signal(.received, on: channel)
        signal(.answered, on: channel)
        channel.embeddedEventLoop.advanceTime(by: .seconds(30))
        #expect(channel.isActive, "idle between requests: the idle timeout's business")

        try channel.writeInbound(ByteBuffer(string: "G"))
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(999))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(try written(channel).contains(" 408 "))
        #expect(!channel.isActive)
    }

    @Test("bytes of a pipelined request that arrive while the answer is prepared start its clock when the answer is out")
    func pipelined() throws {
        let channel = try connectedChannel()
        signal(.received, on: channel)
        try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\n"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(5))
        #expect(channel.isActive, "the server, not the client, is holding the pipelined request")
        signal(.answered, on: channel)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }
}

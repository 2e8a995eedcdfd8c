import SyncMLCodec
@testable import SyncMLServer
import Testing

/// A reply is encoded once: the packer's measure of the statuses is continued
/// into the reply's bytes, which must be those of the whole message encoded at once.
@Suite("Server: a reply's encoding")
struct ReplyEncodingTests {
    static func statuses(_ count: Int) -> ReplyBuilder {
        let header = SyncHeader(version: .v1_2, sessionID: "7", msgID: "2", target: Location("phone", name: "anna"), source: Location("http://s/sync"))
        var reply = ReplyBuilder(header: header, suppressStatuses: false)
        reply.status(msgRef: "2", cmdRef: "0", cmd: "SyncHdr", code: .ok, targetRefs: ["http://s/sync"], sourceRefs: ["phone"])
        for index in 1..<count {
            reply.status(msgRef: "2", cmdRef: String(index + 3), cmd: "Add", code: .itemAdded, sourceRefs: ["luid-\(index)"])
        }
        return reply
    }

    static func addChanges(to reply: inout ReplyBuilder) {
        let adds = (1...3).map { number in
            Command.add(ItemCommand(cmdID: reply.nextCmdID(), meta: Meta(type: "text/vcard"),
                                    items: [Item(source: Location("guid-\(number)"), data: .bytes(Array("BEGIN:VCARD\r\nN:\(number)\r\nEND:VCARD\r\n".utf8)[...]))]))
        }
        reply.append(.sync(Sync(cmdID: reply.nextCmdID(), target: Location("contacts"), source: Location("addressbook"), commands: adds)))
    }

    @Test("measured before the server's changes are added, a reply encodes to the bytes of the whole message",
          arguments: SyncMLEncoding.allCases, [false, true])
    func measuredThenContinued(encoding: SyncMLEncoding, final: Bool) {
        var reply = Self.statuses(40)
        #expect(reply.encodedSize(as: encoding) == reply.message.encoded(as: encoding).count)
        Self.addChanges(to: &reply)
        reply.isFinal = final
        #expect(reply.encoded(as: encoding) == reply.message.encoded(as: encoding))
    }

    @Test("a status or the header changed after the measure is in the reply's bytes", arguments: SyncMLEncoding.allCases)
    func changedAfterMeasure(encoding: SyncMLEncoding) {
        var reply = Self.statuses(5)
        _ = reply.encodedSize(as: encoding)
        reply.setCode(.commandFailed, at: 2)
        Self.addChanges(to: &reply)
        #expect(reply.encoded(as: encoding) == reply.message.encoded(as: encoding))

        var other = Self.statuses(5)
        _ = other.encodedSize(as: encoding)
        other.header.respURI = "http://s/sync?sessionid=1"
        #expect(other.encoded(as: encoding) == other.message.encoded(as: encoding))
        // Measured in one encoding, sent in the other.
        var switched = Self.statuses(5)
        _ = switched.encodedSize(as: encoding == .wbxml ? .xml : .wbxml)
        #expect(switched.encoded(as: encoding) == switched.message.encoded(as: encoding))
    }
}

import SyncMLCodec
import SyncMLProtocol
import Testing

@Suite("Statuses awaited for the commands sent")
struct AwaitedStatusesTests {
    @Test("A status finds its command by MsgRef and CmdRef, once; what is never answered stays")
    func answers() {
        var awaited = AwaitedStatuses<String>()
        awaited.expect("first", msgID: "1", cmdID: "3")
        awaited.expect("second", msgID: "2", cmdID: "3")
        let status = Status(cmdID: "9", msgRef: "1", cmdRef: "3", cmd: "Add", code: .itemAdded)
        #expect(awaited.answer(status) == "first")
        #expect(awaited.answer(status) == nil)
        #expect(awaited.answer(Status(cmdID: "9", msgRef: nil, cmdRef: "3", cmd: "Add", code: .ok)) == nil)
        #expect(Array(awaited.unanswered) == ["second"])
    }
}

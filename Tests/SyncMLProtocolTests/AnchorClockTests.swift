import Foundation
import SyncMLProtocol
import Testing

@Suite("Anchors: the time as YYYYMMDDTHHMMSSZ")
struct AnchorClockTests {
    @Test("A pinned clock gives its time as the anchor, in UTC, seconds truncated")
    func pinned() {
        let clock = AnchorClock { Date(timeIntervalSince1970: 1_741_944_600.9) }
        #expect(clock.next() == "20250314T093000Z")
    }

    @Test("The epoch, a leap day, and the last second of a year")
    func formatting() {
        #expect(AnchorClock.anchor(at: Date(timeIntervalSince1970: 0)) == "19700101T000000Z")
        #expect(AnchorClock.anchor(at: Date(timeIntervalSince1970: 951_782_400)) == "20000229T000000Z")
        #expect(AnchorClock.anchor(at: Date(timeIntervalSince1970: 1_767_225_599)) == "20251231T235959Z")
    }

    @Test("The system clock's anchor has the anchor's shape")
    func system() {
        let anchor = Array(AnchorClock.system.next().utf8)
        #expect(anchor.count == 16 && anchor[8] == UInt8(ascii: "T") && anchor[15] == UInt8(ascii: "Z"))
        #expect(anchor.enumerated().allSatisfy { $0.offset == 8 || $0.offset == 15 || (0x30...0x39).contains($0.element) })
    }
}

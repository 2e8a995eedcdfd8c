import SyncMLClient
import Testing

@Suite("Readable durations")
struct ReadableDurationTests {
    @Test("milliseconds under a second, hundredths under a minute, then minutes and seconds, then hours and minutes")
    func formats() {
        let cases: [(Double, String)] = [
            (0, "0 ms"), (0.0004, "<1 ms"), (0.412, "412 ms"), (0.9994, "999 ms"), (0.9996, "1.00 s"), (1.2449, "1.24 s"),
            (59.99, "59.99 s"), (59.996, "1 min"), (192, "3 min 12 s"), (3599.4, "59 min 59 s"), (7500, "2 h 5 min"), (-1, "0 ms"),
        ]
        for (seconds, text) in cases {
            #expect(ReadableDuration.text(seconds: seconds) == text, "\(seconds)")
        }
        #expect(ReadableDuration.text(.milliseconds(1240)) == "1.24 s")
        #expect(ReadableDuration.seconds(.milliseconds(1500)) == 1.5)
    }
}

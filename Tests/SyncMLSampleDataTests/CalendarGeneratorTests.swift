import SyncMLRecords
import SyncMLSampleData
import Testing

@Suite("Events and tasks")
struct CalendarGeneratorTests {
    /// The main component (VEVENT or VTODO) of a parsed calendar.
    static func item(_ calendar: VComponent) -> VComponent? {
        calendar.components.first { $0.name != "VTIMEZONE" }
    }

    @Test("The same seed gives the same bytes; another seed, others", arguments: [VFormat.iCalendar20, .vCalendar10])
    func deterministic(format: VFormat) {
        var a = EventGenerator(seed: 5), b = EventGenerator(seed: 5), c = EventGenerator(seed: 6)
        var x = TaskGenerator(seed: 5), y = TaskGenerator(seed: 5), z = TaskGenerator(seed: 6)
        var differentEvents = 0, differentTasks = 0
        for _ in 0..<300 {
            let event = a.next(as: format), task = x.next(as: format)
            #expect(event == b.next(as: format))
            #expect(task == y.next(as: format))
            if event != c.next(as: format) { differentEvents += 1 }
            if task != z.next(as: format) { differentTasks += 1 }
        }
        #expect(differentEvents == 300 && differentTasks == 300)
    }

    @Test("Events: parse in both formats, the same event in both (one fingerprint), with the documented mix")
    func events() throws {
        var generator = EventGenerator(seed: 1)
        var allDay = 0, zoned = 0, recurring = 0, alarms = 0, nonASCII = 0, quotedPrintable = 0
        var differing: [Int] = []
        let count = 1_000
        for number in 1...count {
            let model = generator.nextCalendar()
            let ical = SampleRecordWriter.bytes(model, as: .iCalendar20)
            let vcal = SampleRecordWriter.bytes(model, as: .vCalendar10)
            let parsed = try #require(try VObjectParser.parse(ical).first)
            let legacy = try #require(try VObjectParser.parse(vcal).first)
            #expect(parsed.format == .iCalendar20 && legacy.format == .vCalendar10)
            #expect(RecordKind(of: parsed) == .event && RecordKind(of: legacy) == .event)
            if RecordSignature(parsed).fingerprint != RecordSignature(legacy).fingerprint { differing.append(number) }
            let event = try #require(Self.item(parsed))
            for required in ["UID", "DTSTAMP", "SUMMARY", "DTSTART", "DTEND"] { #expect(event.first(required) != nil) }
            if event.first("DTSTART")?.parameter("VALUE")?.values == ["DATE"] { allDay += 1 }
            if let tzid = event.first("DTSTART")?.parameter("TZID")?.values.first {
                zoned += 1
                #expect(parsed.components.first?.first("TZID")?.value == tzid, "the zone's VTIMEZONE comes first")
            }
            if event.first("RRULE") != nil {
                recurring += 1
                #expect(!(Self.item(legacy)?.first("RRULE")?.value.contains("=") ?? true), "1.0 says the rule in its own grammar")
            }
            if event.components.contains(where: { $0.name == "VALARM" }) {
                alarms += 1
                let legacyEvent = Self.item(legacy)
                #expect(legacyEvent?.first("DALARM") != nil || legacyEvent?.first("AALARM") != nil)
            }
            if ical.contains(where: { $0 >= 0x80 }) { nonASCII += 1 }
            if String(decoding: vcal, as: UTF8.self).contains(";CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:") { quotedPrintable += 1 }
            #expect(vcal.allSatisfy { $0 < 0x80 })
        }
        print("Events (seed 1, \(count)): \(allDay) all-day, \(zoned) with TZID, \(recurring) recurring, \(alarms) with an alarm, "
            + "\(nonASCII) with non-ASCII text (\(quotedPrintable) quoted-printable in 1.0); \(differing.count) differ between 1.0 and 2.0")
        #expect(differing.isEmpty, "events whose 1.0 and 2.0 fingerprints differ: \(differing.prefix(20))")
        #expect((100...200).contains(allDay), "\(allDay)")
        #expect((280...420).contains(zoned), "\(zoned)")
        #expect((100...200).contains(recurring), "\(recurring)")
        #expect((280...420).contains(alarms), "\(alarms)")
        #expect(nonASCII > count / 3 && quotedPrintable == nonASCII)
    }

    @Test("Tasks: parse in both formats, the same task in both, with DUE, PRIORITY, STATUS and some completed")
    func tasks() throws {
        var generator = TaskGenerator(seed: 1)
        var due = 0, priorities: [String: Int] = [:], statuses: [String: Int] = [:], completed = 0
        var differing: [Int] = []
        let count = 1_000
        for number in 1...count {
            let model = generator.nextCalendar()
            let parsed = try #require(try VObjectParser.parse(SampleRecordWriter.bytes(model, as: .iCalendar20)).first)
            let legacy = try #require(try VObjectParser.parse(SampleRecordWriter.bytes(model, as: .vCalendar10)).first)
            #expect(RecordKind(of: parsed) == .task && RecordKind(of: legacy) == .task)
            if RecordSignature(parsed).fingerprint != RecordSignature(legacy).fingerprint { differing.append(number) }
            let task = try #require(Self.item(parsed))
            if task.first("DUE") != nil { due += 1 }
            if let priority = task.first("PRIORITY")?.value { priorities[priority, default: 0] += 1 }
            let status = try #require(task.first("STATUS")?.value)
            statuses[status, default: 0] += 1
            if status == "COMPLETED" {
                #expect(task.first("COMPLETED") != nil && task.first("PERCENT-COMPLETE")?.value == "100")
                completed += 1
            }
            let legacyStatus = Self.item(legacy)?.first("STATUS")?.value
            #expect(legacyStatus == (status == "NEEDS-ACTION" ? "NEEDS ACTION" : status))
        }
        print("Tasks (seed 1, \(count)): \(due) with DUE, priorities \(priorities.sorted { $0.key < $1.key }), "
            + "statuses \(statuses.sorted { $0.key < $1.key }); \(differing.count) differ between 1.0 and 2.0")
        #expect(differing.isEmpty, "tasks whose 1.0 and 2.0 fingerprints differ: \(differing.prefix(20))")
        #expect((680...820).contains(due), "\(due)")
        #expect(Set(priorities.keys) == ["1", "5", "9"])
        #expect(Set(statuses.keys) == ["NEEDS-ACTION", "IN-PROCESS", "COMPLETED"])
        #expect((230...370).contains(completed), "\(completed)")
    }
}

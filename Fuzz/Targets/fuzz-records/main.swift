// libFuzzer target: the record layer (vCard 2.1/3.0/4.0, vCalendar 1.0,
// iCalendar 2.0 and SIF), everything the server does with a client's item.
//
// The first byte picks the parser, the rest is the record:
//   even: VObjectParser, then for each record its signature (canonical form,
//         fingerprint, match key; the first also straight from the bytes, which
//         must agree), conversion to every version of its family,
//         writing, and parsing what was written; the first two records are
//         merged and matched against each other;
//   odd:  SIF (plain XML, or base64 when the byte is 3 mod 4), to a vCard or
//         vCalendar, signed, and back to SIF.
// Checked besides "no crash, no hang": what the writers produce parses again.
import FuzzDriver
import SyncMLRecords
func families(_ record: VComponent) -> [VFormat] {
    switch record.name {
    case "VCARD": [.vCard21, .vCard30, .vCard40]
    case "VCALENDAR": [.vCalendar10, .iCalendar20]
    default: []
    }
}

func exerciseVObject(_ bytes: ArraySlice<UInt8>) {
    // `RecordSignature(parsing:)` signs a plain vCard straight from its bytes:
    // it must agree with the model's path, and sign nothing the parser rejects.
    let scanned = try? RecordSignature(parsing: bytes)
    guard let records = try? VObjectParser.parse(bytes) else {
        if scanned != nil { fuzzFailure("signed from bytes, but the parser rejects it") }
        return
    }
    if let first = records.first, let scanned, scanned != RecordSignature(first) {
        fuzzFailure("the byte scan's signature differs from the model's\n\(String(decoding: bytes, as: UTF8.self))")
    }
    for record in records {
        let signature = RecordSignature(record)
        _ = signature.matchKey.description
        for format in families(record) {
            let converted: VComponent
            do {
                converted = try RecordConverter.convert(record, to: format)
            } catch {
                fuzzFailure("\(record.name) does not convert to \(format.displayName): \(error)")
            }
            let written = VObjectWriter.write(converted, as: format)
            do {
                guard let again = try VObjectParser.parse(written).first else {
                    fuzzFailure("our own \(format.displayName) holds no record\n\(String(decoding: written, as: UTF8.self))")
                }
                _ = RecordSignature(again)
            } catch {
                fuzzFailure("our own \(format.displayName) does not parse: \(error)\n\(String(decoding: written, as: UTF8.self))")
            }
        }
        for kind in SIFKind.allCases {
            guard let sif = try? SIF.fromVComponent(record, as: kind) else { continue }
            do {
                _ = try SIF.parse(sif)
            } catch {
                fuzzFailure("our own SIF (\(kind)) does not parse: \(error)\n\(String(decoding: sif, as: UTF8.self))")
            }
        }
    }
    if records.count >= 2 {
        _ = RecordMerger.merge(records[0], records[1], winner: .first)
        _ = RecordMatcher.match([.init(id: "a", signature: RecordSignature(records[0]))],
                                [.init(id: "b", signature: RecordSignature(records[1]))])
    }
}

func exerciseSIF(_ bytes: ArraySlice<UInt8>, base64: Bool) {
    guard let item = try? (base64 ? SIF.parse(base64: bytes) : SIF.parse(bytes)) else { return }
    let record = SIF.toVComponent(item)
    _ = RecordSignature(record)
    let written = SIF.write(item)
    do {
        _ = try SIF.parse(written)
    } catch {
        fuzzFailure("our own SIF does not parse: \(error)\n\(String(decoding: written, as: UTF8.self))")
    }
    _ = try? SIF.fromVComponent(record, as: item.kind)
}

func testOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = fuzzInput(start, count)
    guard let selector = input.first else { return 0 }
    let record = input.dropFirst()
    if selector % 2 == 0 {
        exerciseVObject(record)
    } else {
        exerciseSIF(record, base64: selector % 4 == 3)
    }
    return 0
}

runFuzzer(testOneInput)

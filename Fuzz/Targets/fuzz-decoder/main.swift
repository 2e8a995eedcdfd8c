// libFuzzer target: the SyncML decoder on WBXML and XML (the first byte of the
// input decides, as for a real message: '<' is XML, a version byte WBXML).
//
// Checked besides "no crash, no hang":
//   - streaming: the same bytes fed in pieces of 0-64 bytes give the same
//     events, or the same error, as the whole message at once;
//   - a decoded message encodes to WBXML and to XML, each of which decodes, and
//     encoding that again gives the same bytes (WBXML after one round; XML after
//     two, since XML has no opaque data apart from text);
//   - the token-level transcoder (`syncml decode`/`encode`) gives the same
//     output or error whole and in pieces, and its WBXML transcoded to WBXML
//     again is the same bytes.
import FuzzDriver
import SyncMLCodec
/// All events of `bytes` decoded whole, or the error.
func decodeWhole(_ bytes: [UInt8]) -> Result<[SyncMLDecoder.Event], SyncMLDecodingError> {
    var decoder = SyncMLDecoder()
    decoder.feed(bytes)
    decoder.finish()
    return drain(&decoder, finishing: true)
}

/// The same, fed in pieces chosen from the input's hash.
func decodeInPieces(_ bytes: [UInt8]) -> Result<[SyncMLDecoder.Event], SyncMLDecodingError> {
    var choices = FuzzChoices(bytes)
    var decoder = SyncMLDecoder()
    var events: [SyncMLDecoder.Event] = []
    var offset = 0
    while offset < bytes.count {
        let piece = min(choices.next(below: 65), bytes.count - offset)
        decoder.feed(bytes[offset..<offset + piece])
        offset += piece
        switch drain(&decoder, finishing: false) {
        case .success(let more): events += more
        case .failure(let error): return .failure(error)
        }
    }
    decoder.finish()
    return drain(&decoder, finishing: true).map { events + $0 }
}

func drain(_ decoder: inout SyncMLDecoder, finishing: Bool) -> Result<[SyncMLDecoder.Event], SyncMLDecodingError> {
    var events: [SyncMLDecoder.Event] = []
    do {
        while let event = try decoder.next() { events.append(event) }
    } catch {
        return .failure(error)
    }
    return .success(events)
}

func testOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = fuzzInput(start, count)
    let whole = decodeWhole(bytes)
    let pieces = decodeInPieces(bytes)
    switch (whole, pieces) {
    case (.success(let a), .success(let b)) where a != b:
        fuzzFailure("events differ when the message is fed in pieces:\n\(a)\n\(b)")
    case (.failure(let a), .failure(let b)) where a != b:
        fuzzFailure("errors differ when the message is fed in pieces: \(a) / \(b)")
    case (.success, .failure(let error)), (.failure(let error), .success):
        fuzzFailure("whole and piecewise decoding disagree: \(error)")
    default:
        break
    }
    checkTranscoder(bytes)
    guard let message = try? SyncMLMessage(decoding: bytes) else { return 0 }
    for encoding in SyncMLEncoding.allCases {
        // XML cannot tell item data (CDATA) from text, so its first round may turn
        // opaque content of unknown elements into text; from the second on it is stable.
        let rounds = encoding == .xml ? 2 : 1
        var encoded = SyncMLEncoder.encode(message, as: encoding)
        for round in 1...rounds {
            let again: SyncMLMessage
            do {
                again = try SyncMLMessage(decoding: encoded)
            } catch {
                fuzzFailure("our own \(encoding) does not decode (round \(round)): \(error)")
            }
            let next = SyncMLEncoder.encode(again, as: encoding)
            if round == rounds, next != encoded {
                let at = zip(encoded, next).prefix { $0 == $1 }.count
                func around(_ bytes: [UInt8]) -> String {
                    String(decoding: bytes[max(0, at - 80)..<min(bytes.count, at + 80)], as: UTF8.self).debugDescription
                }
                fuzzFailure("\(encoding) encoding is not a fixed point; from byte \(at):\n\(around(encoded))\n---\n\(around(next))")
            }
            encoded = next
        }
    }
    return 0
}

/// `SyncMLTranscoder` on the input: whole and in pieces alike; its WBXML a fixed point.
func checkTranscoder(_ bytes: [UInt8]) {
    for encoding in SyncMLEncoding.allCases {
        let whole = Result { () throws(SyncMLDecodingError) in try SyncMLTranscoder.transcode(bytes, to: encoding) }
        var choices = FuzzChoices(bytes)
        let pieces = Result { () throws(SyncMLDecodingError) -> [UInt8] in
            var transcoder = SyncMLTranscoder(to: encoding)
            var output: [UInt8] = []
            var offset = 0
            while offset < bytes.count {
                let piece = min(choices.next(below: 65), bytes.count - offset)
                try transcoder.feed(bytes[offset..<offset + piece])
                offset += piece
                output += transcoder.takeOutput()
            }
            try transcoder.finish()
            return output + transcoder.takeOutput()
        }
        switch (whole, pieces) {
        case (.success(let a), .success(let b)) where a != b:
            fuzzFailure("\(encoding) transcoding differs when the message is fed in pieces")
        case (.success, .failure(let error)), (.failure(let error), .success):
            fuzzFailure("\(encoding) transcoding whole and in pieces disagree: \(error)")
        case (.success(let wbxml), _) where encoding == .wbxml:
            switch Result(catching: { () throws(SyncMLDecodingError) in try SyncMLTranscoder.transcode(wbxml, to: .wbxml) }) {
            case .success(let again) where again != wbxml: fuzzFailure("transcoded WBXML is not a fixed point")
            case .failure(let error): fuzzFailure("transcoded WBXML does not transcode: \(error)")
            default: break
            }
        default:
            break
        }
    }
}

runFuzzer(testOneInput)

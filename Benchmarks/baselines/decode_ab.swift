// The decoder before and after a change, in one process: the codec of an
// older commit compiled as module SyncMLCodecBefore, the working tree's as
// SyncMLCodec, one decode of each in turn so that both see the same load on a
// shared machine (separate runs A/B/A/B differed by 2x). Built and run by
// decode-ab.sh. Times are the thread's CPU time; MB = 10^6 bytes.
//
// Per round: the raw C scan (WBXMLRawScan, the floor), the streaming decode
// (1 MiB feeds, every event pulled, as `syncml-bench decode`) and the
// whole-message decode (SyncMLMessage(decoding:), as `--whole`), each before
// and after. Prints the medians and each decode's share of the scan.
import SyncMLCodec
import SyncMLCodecBefore
import Glibc

func cpuNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}
func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s.count % 2 == 1 ? s[s.count/2] : (s[s.count/2-1] + s[s.count/2]) / 2 }

let path = CommandLine.arguments[1]
let repeats = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2])! : 30
let f = fopen(path, "rb")!
var bytes: [UInt8] = []
var chunk = [UInt8](repeating: 0, count: 1 << 16)
while true { let n = fread(&chunk, 1, chunk.count, f); if n <= 0 { break }; bytes.append(contentsOf: chunk[0..<n]) }
fclose(f)
let mb = Double(bytes.count) / 1e6
let isWBXML = SyncMLCodec.WBXMLRawScan.countTokens(bytes) != nil

/// The two decoders' common surface, so that one loop drives both.
protocol StreamingDecoder {
    init()
    mutating func feed(_ bytes: some Collection<UInt8>)
    mutating func finish()
    /// nil: feed more (or done); else whether the event was a command.
    mutating func nextIsCommand() throws -> Bool?
}

extension SyncMLCodec.SyncMLDecoder: StreamingDecoder {
    mutating func nextIsCommand() throws -> Bool? {
        guard let event = try next() else { return nil }
        if case .command = event { return true } else { return false }
    }
}

extension SyncMLCodecBefore.SyncMLDecoder: StreamingDecoder {
    mutating func nextIsCommand() throws -> Bool? {
        guard let event = try next() else { return nil }
        if case .command = event { return true } else { return false }
    }
}

/// Fed 1 MiB at a time, every event pulled, as `syncml-bench decode`.
func stream<Decoder: StreamingDecoder>(_: Decoder.Type) throws -> Int {
    var decoder = Decoder()
    var commands = 0
    for start in stride(from: 0, to: bytes.count, by: 1 << 20) {
        decoder.feed(bytes[start..<min(start + (1 << 20), bytes.count)])
        if start + (1 << 20) >= bytes.count { decoder.finish() }
        while let isCommand = try decoder.nextIsCommand() { if isCommand { commands += 1 } }
    }
    return commands
}
func wholeAfter() throws -> Int { try SyncMLCodec.SyncMLMessage(decoding: bytes).commands.reduce(0) { $0 + 1 + $1.children.count } }
func wholeBefore() throws -> Int { try SyncMLCodecBefore.SyncMLMessage(decoding: bytes).commands.reduce(0) { $0 + 1 + $1.children.count } }

var runs: [String: [Double]] = [:]
func time(_ name: String, _ body: () throws -> Int) rethrows {
    let t = cpuNow(); _ = try body(); runs[name, default: []].append(cpuNow() - t)
}
for _ in 0..<repeats {
    if isWBXML { time("scan") { SyncMLCodec.WBXMLRawScan.countTokens(bytes)!.tokens } }
    try time("stream before") { try stream(SyncMLCodecBefore.SyncMLDecoder.self) }
    try time("stream after") { try stream(SyncMLCodec.SyncMLDecoder.self) }
    try time("whole before", wholeBefore)
    try time("whole after", wholeAfter)
}
// XML has no raw scan to compare with: rates only.
let scan = isWBXML ? mb / median(runs["scan"]!) : nil
var line = scan.map { "scan \(Int($0)) MB/s" } ?? "XML"
for name in ["stream before", "stream after", "whole before", "whole after"] {
    let rate = mb / median(runs[name]!)
    line += "; \(name) \(Int(rate)) MB/s" + (scan.map { " (\(Int((rate / $0 * 100).rounded())) %)" } ?? "")
}
print(line)

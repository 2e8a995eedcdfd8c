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

func streamAfter() throws -> Int {
    var decoder = SyncMLCodec.SyncMLDecoder()
    var commands = 0
    for start in stride(from: 0, to: bytes.count, by: 1 << 20) {
        decoder.feed(bytes[start..<min(start + (1 << 20), bytes.count)])
        if start + (1 << 20) >= bytes.count { decoder.finish() }
        while let event = try decoder.next() { if case .command = event { commands += 1 } }
    }
    return commands
}
func streamBefore() throws -> Int {
    var decoder = SyncMLCodecBefore.SyncMLDecoder()
    var commands = 0
    for start in stride(from: 0, to: bytes.count, by: 1 << 20) {
        decoder.feed(bytes[start..<min(start + (1 << 20), bytes.count)])
        if start + (1 << 20) >= bytes.count { decoder.finish() }
        while let event = try decoder.next() { if case .command = event { commands += 1 } }
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
    time("scan") { SyncMLCodec.WBXMLRawScan.countTokens(bytes)!.tokens }
    try time("stream before", streamBefore)
    try time("stream after", streamAfter)
    try time("whole before", wholeBefore)
    try time("whole after", wholeAfter)
}
let scan = mb / median(runs["scan"]!)
var line = "scan \(Int(scan)) MB/s"
for name in ["stream before", "stream after", "whole before", "whole after"] {
    let rate = mb / median(runs[name]!)
    line += "; \(name) \(Int(rate)) MB/s (\(Int((rate / scan * 100).rounded())) %)"
}
print(line)

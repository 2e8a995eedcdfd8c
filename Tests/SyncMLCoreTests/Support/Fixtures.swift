import Foundation

/// The recorded SyncEvolution sessions in `../shared/fixtures/syncevolution/`.
enum Fixtures {
    /// `SYNCML_SHARED` overrides where `shared/` is; by default it sits beside the package.
    static let shared: URL = {
        if let path = ProcessInfo.processInfo.environment["SYNCML_SHARED"] {
            return URL(fileURLWithPath: path)
        }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared")
    }()

    static let syncEvolution = shared.appendingPathComponent("fixtures/syncevolution")

    /// Every exact message (not the `.trm.xml`/`.pretty.xml` translations), sorted.
    static func messages(wbxml: Bool? = nil) -> [URL] {
        let manager = FileManager.default
        guard let cases = try? manager.contentsOfDirectory(atPath: syncEvolution.path) else { return [] }
        var result: [URL] = []
        for name in cases.sorted() {
            let directory = syncEvolution.appendingPathComponent(name)
            guard let files = try? manager.contentsOfDirectory(atPath: directory.path) else { continue }
            for file in files.sorted() where file.hasSuffix("c2s.wbxml") || file.hasSuffix("s2c.wbxml")
                || file.hasSuffix("c2s.xml") || file.hasSuffix("s2c.xml") {
                let isWBXML = file.hasSuffix(".wbxml")
                if let wbxml, wbxml != isWBXML { continue }
                result.append(directory.appendingPathComponent(file))
            }
        }
        return result
    }

    static func bytes(_ url: URL) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url))
    }

    /// `01-slow-first-wbxml/002-c2s.wbxml` for a message URL.
    static func name(_ url: URL) -> String {
        url.deletingLastPathComponent().lastPathComponent + "/" + url.lastPathComponent
    }
}

/// A small, seeded generator (SplitMix64), so random tests repeat exactly.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

public import Foundation
import SyncMLSampleData

/// The recorded SyncEvolution sessions in `../shared/fixtures/syncevolution/`.
public enum Fixtures {
    /// `SYNCML_SHARED` overrides where `shared/` is; by default it sits beside the package.
    public static let shared: URL = {
        if let path = ProcessInfo.processInfo.environment["SYNCML_SHARED"] {
            return URL(fileURLWithPath: path)
        }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("shared")
    }()

    public static let syncEvolution = shared.appendingPathComponent("fixtures/syncevolution")

    /// Every exact message (not the `.trm.xml`/`.pretty.xml` translations), sorted.
    public static func messages(wbxml: Bool? = nil) -> [URL] {
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

    /// The bytes of `fixtures/PATH` under `shared/` (`syncevolution/01-slow-first-wbxml/002-c2s.wbxml`).
    public static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: shared.appendingPathComponent("fixtures/" + path)))
    }

    public static func bytes(_ url: URL) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url))
    }

    /// `01-slow-first-wbxml/002-c2s.wbxml` for a message URL.
    public static func name(_ url: URL) -> String {
        url.deletingLastPathComponent().lastPathComponent + "/" + url.lastPathComponent
    }
}

/// The seeded generator random tests use: the sample data's SplitMix64, so
/// every suite draws from one implementation and runs repeat exactly.
public struct SeededGenerator: RandomNumberGenerator {
    private var base: SplitMix64
    public init(seed: UInt64) { base = SplitMix64(seed: seed) }
    public mutating func next() -> UInt64 { base.next() }
}

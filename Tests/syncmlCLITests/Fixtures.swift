import Foundation
import TestSupport

/// The recorded SyncEvolution sessions in `../shared/fixtures/syncevolution/`
/// (the helper of Tests/SyncMLCoreTests/Support/Fixtures.swift, trimmed: test
/// targets cannot share files).
enum Fixtures {
    /// `SYNCML_SHARED` overrides where `shared/` is; by default it sits beside the package.
    static let shared: URL = {
        if let path = ProcessInfo.processInfo.environment["SYNCML_SHARED"] {
            return URL(fileURLWithPath: path)
        }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }()

    /// The package directory (this file is Tests/syncmlCLITests/Fixtures.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let syncEvolution = shared.appendingPathComponent("fixtures/syncevolution")

    /// Every recorded message (`NNN-c2s.wbxml`, `NNN-s2c.xml`…, not their translations), sorted.
    static func messages() -> [URL] {
        let manager = FileManager.default
        var result: [URL] = []
        for name in ((try? manager.contentsOfDirectory(atPath: syncEvolution.path)) ?? []).sorted() {
            let directory = syncEvolution.appendingPathComponent(name)
            for file in ((try? manager.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
            where ["c2s.wbxml", "s2c.wbxml", "c2s.xml", "s2c.xml"].contains(where: file.hasSuffix) {
                result.append(directory.appendingPathComponent(file))
            }
        }
        return result
    }

    /// `01-slow-first-wbxml/client-data-before/*/*`, sorted.
    static func clientDataBefore(_ name: String = "01-slow-first-wbxml") -> [URL] {
        let root = syncEvolution.appendingPathComponent(name).appendingPathComponent("client-data-before")
        let manager = FileManager.default
        var result: [URL] = []
        for folder in ((try? manager.contentsOfDirectory(atPath: root.path)) ?? []).sorted() {
            let directory = root.appendingPathComponent(folder)
            for file in ((try? manager.contentsOfDirectory(atPath: directory.path)) ?? []).sorted() {
                result.append(directory.appendingPathComponent(file))
            }
        }
        return result
    }
}

import Foundation

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

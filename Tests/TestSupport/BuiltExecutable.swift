public import Foundation

/// Executables of this package, as the build left them for tests that run them.
public enum BuiltExecutable {
    /// The executable `name` next to the test bundle (`.build/<triple>/debug/`), else under the
    /// package's `.build/debug`; nil when it is not built.
    public static func url(named name: String) -> URL? {
        var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        let packageRoot = URL(fileURLWithPath: #filePath) // Tests/TestSupport/BuiltExecutable.swift
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let fallback = packageRoot.appendingPathComponent(".build/debug/\(name)")
        return FileManager.default.isExecutableFile(atPath: fallback.path) ? fallback : nil
    }
}

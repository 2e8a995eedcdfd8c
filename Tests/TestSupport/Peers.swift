import Foundation

/// External reference tools the interop tests run (libwbxml2-utils, SyncEvolution).
///
/// A missing tool skips its tests with a loud message on standard error, unless
/// `SYNCML_REQUIRE_PEERS=1` (set by `.ci/run`): then the tests run and fail.
public enum Peers {
    public static var required: Bool { ProcessInfo.processInfo.environment["SYNCML_REQUIRE_PEERS"] == "1" }

    public static func path(of tool: String) -> String? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for directory in paths + ["/usr/bin", "/usr/local/bin"] {
            let candidate = "\(directory)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// True if the tests needing `tool` should run (it exists, or peers are required).
    public static func available(_ tool: String, package: String) -> Bool {
        if path(of: tool) != nil { return true }
        if required { return true }
        let banner = String(repeating: "!", count: 78)
        FileHandle.standardError.write(Data("""
            \(banner)
            !! SKIPPING tests that need `\(tool)`: it is not installed.
            !! Install it with: apt-get install \(package)   (CI sets SYNCML_REQUIRE_PEERS=1 to fail instead)
            \(banner)\n
            """.utf8))
        return false
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Runs `wbxml2xml` (compact mode) on WBXML bytes and returns its XML.
    public static func wbxml2xml(_ wbxml: [UInt8]) async throws -> [UInt8] {
        try await convert(wbxml, with: "wbxml2xml", ["-m", "0"], input: "in.wbxml", output: "out.xml")
    }

    /// Runs `xml2wbxml` on XML bytes and returns its WBXML: version 1.2 and no
    /// string table, the form SyncML peers send.
    public static func xml2wbxml(_ xml: [UInt8]) async throws -> [UInt8] {
        try await convert(xml, with: "xml2wbxml", ["-n", "-v", "1.2"], input: "in.xml", output: "out.wbxml")
    }

    /// Runs a libwbxml2 tool from one temporary file to another, awaiting its end
    /// without holding a thread (`ProcessExit`).
    private static func convert(_ bytes: [UInt8], with name: String, _ options: [String], input: String, output: String) async throws -> [UInt8] {
        guard let tool = path(of: name) else { throw Failure(description: "\(name) is not installed (apt-get install libwbxml2-utils)") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("syncml-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputFile = directory.appendingPathComponent(input)
        let outputFile = directory.appendingPathComponent(output)
        try Data(bytes).write(to: inputFile)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = options + ["-o", outputFile.path, inputFile.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try await process.start().wait()
        guard process.terminationStatus == 0, let converted = try? Data(contentsOf: outputFile) else {
            throw Failure(description: "\(name) failed with status \(process.terminationStatus)")
        }
        return [UInt8](converted)
    }
}

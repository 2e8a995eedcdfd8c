import Foundation

/// Headless Chromium driven by Selenium (Python), for the tests of `syncml dedupe --html`.
///
/// Needs Debian's `chromium` and `chromium-driver` and Selenium from PyPI (`pip
/// install selenium`; Selenium uses the system chromedriver, nothing is
/// downloaded). When one is missing the browser tests are skipped with a loud
/// message on standard error, unless `SYNCML_REQUIRE_PEERS=1` (set by `.ci/run`):
/// then they run and fail, naming what is missing.
enum Browser {
    struct Tools {
        var chromium: String
        var chromedriver: String
        var python: String
    }

    static var peersRequired: Bool { ProcessInfo.processInfo.environment["SYNCML_REQUIRE_PEERS"] == "1" }

    /// The script the tests run, beside this file.
    static let reviewScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("dedupe_review.py")

    /// The tools, or why they cannot be used.
    static let tools: Result<Tools, Failure> = {
        guard let chromium = ["chromium", "chromium-browser", "google-chrome"].lazy.compactMap(path(of:)).first else {
            return .failure(Failure("no chromium (apt-get install chromium)"))
        }
        guard let chromedriver = path(of: "chromedriver") else { return .failure(Failure("no chromedriver (apt-get install chromium-driver)")) }
        guard let python = path(of: "python3") else { return .failure(Failure("no python3")) }
        guard let check = try? run(python, ["-c", "import selenium"], timeout: 60), check.status == 0 else {
            return .failure(Failure("python3 has no selenium module (python3 -m pip install selenium)"))
        }
        return .success(Tools(chromium: chromium, chromedriver: chromedriver, python: python))
    }()

    /// True if the browser tests should run. Evaluated once, so the banner is printed once.
    static let testsShouldRun: Bool = {
        if case .failure(let failure) = tools, !peersRequired {
            let banner = String(repeating: "!", count: 78)
            FileHandle.standardError.write(Data("""
                \(banner)
                !! SKIPPING the browser test of `syncml dedupe --html`: \(failure.description).
                !! Install: apt-get install chromium chromium-driver; python3 -m pip install selenium
                !! (CI sets SYNCML_REQUIRE_PEERS=1 to fail instead)
                \(banner)\n
                """.utf8))
            return false
        }
        return true
    }()

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static func path(of tool: String) -> String? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        for directory in paths + ["/usr/bin", "/usr/local/bin"] {
            let candidate = directory + "/" + tool
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs `executable` and waits at most `timeout` seconds (then kills it).
    static func run(_ executable: String, _ arguments: [String], timeout: TimeInterval) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("browser-\(UUID().uuidString).out")
        let error = FileManager.default.temporaryDirectory.appendingPathComponent("browser-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: error.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: output)
            try? FileManager.default.removeItem(at: error)
        }
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: error)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw Failure("\(executable) \(arguments.first ?? "") did not finish in \(Int(timeout)) s")
        }
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: try Data(contentsOf: output), as: UTF8.self),
                String(decoding: try Data(contentsOf: error), as: UTF8.self))
    }
}

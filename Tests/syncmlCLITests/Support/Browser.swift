import Foundation
import TestSupport

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
    static func tools() async -> Result<Tools, Failure> { await lookup.value }

    /// The one look-up (it runs Python), started by the first caller; the others await it.
    private static let lookup = Task<Result<Tools, Failure>, Never> {
        guard let chromium = ["chromium", "chromium-browser", "google-chrome"].lazy.compactMap(path(of:)).first else {
            return .failure(Failure("no chromium (apt-get install chromium)"))
        }
        guard let chromedriver = path(of: "chromedriver") else { return .failure(Failure("no chromedriver (apt-get install chromium-driver)")) }
        guard let python = path(of: "python3") else { return .failure(Failure("no python3")) }
        guard let check = try? await run(python, ["-c", "import selenium"], timeout: 60), check.status == 0 else {
            return .failure(Failure("python3 has no selenium module (python3 -m pip install selenium)"))
        }
        return .success(Tools(chromium: chromium, chromedriver: chromedriver, python: python))
    }

    /// True if the browser tests should run. Evaluated once, so the banner is printed once.
    static func testsShouldRun() async -> Bool { await shouldRun.value }

    private static let shouldRun = Task<Bool, Never> {
        if case .failure(let failure) = await tools(), !peersRequired {
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
    }

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

    /// Runs `executable` and waits at most `timeout` seconds (then kills it); the
    /// wait holds no thread (`ProcessExit`).
    static func run(_ executable: String, _ arguments: [String], timeout: TimeInterval) async throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = try OutputFile(), error = try OutputFile()
        process.standardOutput = output.handle
        process.standardError = error.handle
        process.standardInput = FileHandle.nullDevice
        let exit = try process.start()
        if await !exit.wait(atMost: .seconds(timeout)) {
            process.terminate()
            await exit.wait()
            throw Failure("\(executable) \(arguments.first ?? "") did not finish in \(Int(timeout)) s")
        }
        return (process.terminationStatus, output.text, error.text)
    }
}

import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The SyncEvolution command-line client installed on this machine, and the
/// `LD_PRELOAD` shim without which its HTTP transport crashes.
///
/// A missing client skips the interop tests with a loud message on standard
/// error, unless `SYNCML_REQUIRE_PEERS=1` (set by `.ci/run`): then they run and fail.
enum SyncEvolution {
    static let executable: String? = Subprocess.path(of: "syncevolution")

    static var peersRequired: Bool { ProcessInfo.processInfo.environment["SYNCML_REQUIRE_PEERS"] == "1" }

    /// True if the interop tests should run. Evaluated once, so the banner is printed once.
    static let testsShouldRun: Bool = {
        if executable != nil || peersRequired { return true }
        let banner = String(repeating: "!", count: 78)
        FileHandle.standardError.write(Data("""
            \(banner)
            !! SKIPPING the SyncEvolution interop tests: `syncevolution` is not installed.
            !! Install it with: apt-get install syncevolution   (CI sets SYNCML_REQUIRE_PEERS=1 to fail instead)
            \(banner)\n
            """.utf8))
        return false
    }()

    static func requireExecutable() throws -> String {
        guard let executable else {
            throw Subprocess.Failure(description: "syncevolution is not installed (apt-get install syncevolution)")
        }
        return executable
    }

    /// This process's environment with HOME and the XDG directories under `root`
    /// (`home`, `config`, `data`, `cache`), UTC, no proxy and no D-Bus session, so
    /// that SyncEvolution runs never share state or contact a daemon by accident.
    static func isolatedEnvironment(root: URL) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for name in ["http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY",
                     "DBUS_SESSION_BUS_ADDRESS"] {
            environment[name] = nil
        }
        environment["HOME"] = root.appendingPathComponent("home").path
        environment["XDG_CONFIG_HOME"] = root.appendingPathComponent("config").path
        environment["XDG_DATA_HOME"] = root.appendingPathComponent("data").path
        environment["XDG_CACHE_HOME"] = root.appendingPathComponent("cache").path
        environment["TZ"] = "UTC"
        return environment
    }

    /// Peer properties for an HTTPS server whose certificate `authority` (a CA
    /// certificate, PEM) signed: libcurl (GnuTLS) is given that file as its only
    /// CA (`SSLServerCertificates`, CURLOPT_CAINFO; the default is the system
    /// bundle, which does not know a test CA), and both checks stay on — the
    /// chain (`SSLVerifyServer`) and the host name (`SSLVerifyHost`, which libcurl
    /// applies even with `SSLVerifyServer=0`). docs/INTEROP.md has what each does.
    static func trusting(_ authority: String) -> [String] {
        ["SSLServerCertificates=\(authority)", "SSLVerifyServer=1", "SSLVerifyHost=1"]
    }

    /// `--configure` properties giving every datastore the file backend, one
    /// directory per datastore under `root` (`contacts/`, `calendar/`, `todo/`).
    static func fileBackend(under root: URL) -> [String] {
        Datastore.allCases.flatMap { datastore in
            ["\(datastore.rawValue)/backend=file",
             "\(datastore.rawValue)/databaseFormat=\(datastore.format)",
             "\(datastore.rawValue)/database=file://\(root.appendingPathComponent(datastore.folder).path)"]
        }
    }

    /// The shim's source, kept beside this file (a copy of the project's shared tool).
    static let curlFixSource = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("syncevolution-curlfix.c")

    /// Debian's SyncEvolution 2.0.0-3+b1 hands libcurl NULL read/write callbacks and
    /// segfaults on its first POST; this shim substitutes working ones (see the
    /// comment in `syncevolution-curlfix.c` and docs/INTEROP.md). Compiled once per
    /// test process into a temporary directory; returns the `.so` path.
    static func curlFix() async throws -> String { try await compiledCurlFix.value.get() }

    /// The one compilation, started by the first test that needs it; the others await it.
    private static let compiledCurlFix = Task<Result<String, Subprocess.Failure>, Never> {
        guard let compiler = ["gcc", "cc", "clang"].lazy.compactMap(Subprocess.path(of:)).first else {
            return .failure(Subprocess.Failure(description: "no C compiler (gcc, cc or clang) to build the SyncEvolution curl shim"))
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("syncml-curlfix-\(getpid())")
        let library = directory.appendingPathComponent("curlfix.so").path
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let result = try await Subprocess.run(compiler, ["-shared", "-fPIC", "-O2", "-o", library, curlFixSource.path, "-ldl"],
                                                  timeout: .seconds(60))
            guard result.status == 0 else {
                return .failure(Subprocess.Failure(description: "compiling the curl shim failed: \(result)"))
            }
            return .success(library)
        } catch {
            return .failure(Subprocess.Failure(description: "compiling the curl shim failed: \(error)"))
        }
    }
}

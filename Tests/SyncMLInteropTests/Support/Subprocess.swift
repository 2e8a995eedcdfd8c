import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// How one run of an external program ended.
struct ProcessResult: Sendable, CustomStringConvertible {
    /// The exit status; a process killed by signal N reports 128 + N, as a shell
    /// does, so a SIGSEGV is 139 here exactly as in the shared SyncEvolution doc.
    var status: Int32
    /// Standard output and standard error, interleaved as written.
    var output: String
    var timedOut: Bool

    var description: String {
        "exit \(status)\(timedOut ? " (killed after the timeout)" : "")\n\(output.suffix(6_000))"
    }
}

/// Runs a program to completion with a deadline; the one place the interop
/// tests start short-lived processes.
enum Subprocess {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `executable` with `arguments`, in `environment` (the test process's own
    /// when nil), killing it with SIGKILL after `timeout`. With `interruptWhenOutputContains`,
    /// sends one SIGINT (a user's Ctrl-C) as soon as the output contains that text.
    static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]? = nil,
        timeout: Duration = .seconds(120),
        interruptWhenOutputContains trigger: String? = nil
    ) throws -> ProcessResult {
        // Output goes to a file, not a pipe: a pipe nobody drains while we wait
        // for the deadline would block a chatty child.
        let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("syncml-interop-\(UUID().uuidString).out")
        guard FileManager.default.createFile(atPath: outputFile.path, contents: nil) else {
            throw Failure(description: "cannot create \(outputFile.path)")
        }
        defer { try? FileManager.default.removeItem(at: outputFile) }
        let output = try FileHandle(forWritingTo: outputFile)
        defer { try? output.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        if trigger != nil {
            // The child inherits this thread's signal mask, and test threads (libdispatch's) block SIGINT:
            // unblock it around the spawn, or the Ctrl-C never arrives.
            var interrupt = sigset_t(), previous = sigset_t()
            sigemptyset(&interrupt)
            sigaddset(&interrupt, SIGINT)
            pthread_sigmask(SIG_UNBLOCK, &interrupt, &previous)
            defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
            try process.run()
        } else {
            try process.run()
        }

        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        let deadline = DispatchTime.now() + seconds
        if let trigger {
            // Poll the output until the trigger appears (or the process ends), then interrupt once.
            while finished.wait(timeout: .now() + 0.02) == .timedOut {
                if let data = try? Data(contentsOf: outputFile), String(decoding: data, as: UTF8.self).contains(trigger) {
                    kill(process.processIdentifier, SIGINT)
                    break
                }
                if DispatchTime.now() > deadline { break }
            }
            if !process.isRunning { finished.signal() } // the loop consumed the termination signal
        }
        var timedOut = false
        if finished.wait(timeout: deadline) == .timedOut {
            timedOut = true
            kill(process.processIdentifier, SIGKILL)
            finished.wait()
        }
        let text = String(decoding: (try? Data(contentsOf: outputFile)) ?? Data(), as: UTF8.self)
        return ProcessResult(status: shellStatus(of: process), output: text, timedOut: timedOut)
    }

    /// The exit status as a shell reports it (128 + signal for a killed process).
    static func shellStatus(of process: Process) -> Int32 {
        process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }

    /// The first executable called `name` on PATH (or in /usr/bin, /usr/local/bin).
    static func path(of name: String) -> String? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        for directory in paths + ["/usr/bin", "/usr/local/bin"] {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

import Foundation
import TestSupport

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
    /// Waiting suspends the test, never blocks a thread (`ProcessExit`).
    static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]? = nil,
        timeout: Duration = .seconds(120),
        interruptWhenOutputContains trigger: String? = nil
    ) async throws -> ProcessResult {
        // Output goes to a file, not a pipe: a pipe nobody drains while we wait
        // for the deadline would block a chatty child.
        let output = try OutputFile()

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output.handle
        process.standardError = output.handle
        let exit: ProcessExit
        if trigger != nil {
            // The child inherits this thread's signal mask, and test threads (libdispatch's) block SIGINT:
            // unblock it around the spawn, or the Ctrl-C never arrives.
            var interrupt = sigset_t(), previous = sigset_t()
            sigemptyset(&interrupt)
            sigaddset(&interrupt, SIGINT)
            pthread_sigmask(SIG_UNBLOCK, &interrupt, &previous)
            defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
            exit = try process.start()
        } else {
            exit = try process.start()
        }

        let deadline = ContinuousClock.now + timeout
        if let trigger {
            // Watch the output until the trigger appears (or the process ends), then interrupt once.
            let text = try await output.text(satisfying: { $0.contains(trigger) || ContinuousClock.now > deadline }, orOnceEnded: exit)
            if text.contains(trigger), !exit.hasExited { kill(process.processIdentifier, SIGINT) }
        }
        var timedOut = false
        if await !exit.wait(atMost: deadline - ContinuousClock.now) {
            timedOut = true
            kill(process.processIdentifier, SIGKILL)
            await exit.wait()
        }
        return ProcessResult(status: shellStatus(of: process), output: output.text, timedOut: timedOut)
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

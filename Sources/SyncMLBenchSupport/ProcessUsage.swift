import Foundation

/// This process's CPU time and memory, for figures that wall time on a shared machine cannot give.
public struct ProcessUsage: Sendable {
    /// User + system CPU seconds so far (all threads).
    public var cpuSeconds: Double
    /// Peak resident set size so far, in bytes.
    public var peakResidentBytes: Int

    public static func now() -> ProcessUsage {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6
        #if os(Linux)
        let peak = Int(usage.ru_maxrss) * 1024 // KiB on Linux
        #else
        let peak = Int(usage.ru_maxrss) // bytes on Darwin
        #endif
        return ProcessUsage(cpuSeconds: cpu, peakResidentBytes: peak)
    }
}

/// Seconds since `start` on the monotonic clock.
public func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = start.duration(to: .now)
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}

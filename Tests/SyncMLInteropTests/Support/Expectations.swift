/// Fails the test with the client's output and the server's log unless the sync succeeded.
@discardableResult
func requireSuccess(_ run: SyncRun, _ server: SyncMLServerProcess) throws -> SyncRun {
    guard run.succeeded else {
        throw Subprocess.Failure(description: "\(run)\n--- server log ---\n\(server.log)")
    }
    return run
}

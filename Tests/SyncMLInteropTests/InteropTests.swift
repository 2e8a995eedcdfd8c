import Testing

/// SyncEvolution, a real SyncML client, against `syncml serve`.
///
/// Every scenario starts its own server on a fresh store and its own clients.
/// The suites run one test at a time: each runs the client several times (about
/// a second each) and the machine has few cores. Without `syncevolution` they are
/// skipped with a loud message, or fail under `SYNCML_REQUIRE_PEERS=1` (CI).
/// `SYNCML_INTEROP_KEEP=1` keeps each scenario's directory, `SYNCML_INTEROP_DEBUG=1`
/// makes the client dump every message into its session logs (docs/INTEROP.md).
@Suite("SyncMLInteropTests: SyncEvolution against syncml serve", .serialized, .enabled(if: SyncEvolution.testsShouldRun))
struct InteropTests {}

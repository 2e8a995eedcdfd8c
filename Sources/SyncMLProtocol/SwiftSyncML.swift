/// This software's name and version, in one place: `syncml --version` prints
/// it and the server announces it as the SwV of its DevInf.
public enum SwiftSyncML {
    /// The software's name, as `syncml --version` prints it.
    public static let name = "swift-syncml"
    /// Semantic version of the engine, the CLI and the wire behaviour.
    public static let version = "0.1.0"
}

/// Where a session is in its life. The raw value is what `sessions.state`
/// holds (and what `syncml sessions` prints); the store converts it there only.
public enum SessionState: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Begun, or resumed, and not ended yet.
    case active
    /// Cut short with the engine's state saved: the device's next session may resume it.
    case suspended
    /// Ended normally (every undo session is written as completed).
    case completed
    /// Ended early; what it applied stays journaled, and undoable.
    case failed
    /// Its changes were reverted by an undo session.
    case undone

    public var description: String { rawValue }
}
